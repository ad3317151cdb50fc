package io.github.multiprocessing4j.managers;

import java.time.Duration;

/** The object behind a managed {@code Event}, in the manager's process: a flag on a monitor. */
final class ManagedEvent implements EventProxy {

  private boolean flag; // guarded by this

  @Override
  public synchronized boolean isSet() {
    return flag;
  }

  @Override
  public synchronized void set() {
    flag = true;
    notifyAll();
  }

  @Override
  public synchronized void clear() {
    flag = false;
  }

  @Override
  public boolean await() {
    return await(null);
  }

  @Override
  public synchronized boolean await(Duration timeout) {
    return ServerWaits.until(this, () -> flag, true, timeout);
  }

  @Override
  public synchronized String toString() {
    return "<Event " + (flag ? "set" : "unset") + ">";
  }
}
