package io.github.multiprocessing4j.sync;

import io.github.multiprocessing4j.testing.Waits;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.testing.Pids;
import java.lang.reflect.Field;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A JVM that dies while one of its threads enters or leaves a wait must not take live waiters out
 * of the waiter count when it is dropped as dead: a count of 0 while a thread waits makes every
 * {@code wakeAll} return at once, and that waiter is then woken only by its own re-check.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class SyncCellDeadWaiterTest {

  private static final int HALTED = 77;

  /** A set of waiting threads whose removal ends the JVM: a death just as a waiter leaves. */
  private static final class HaltOnRemove extends AbstractSet<Thread> {
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    @Override
    public boolean add(Thread t) {
      return threads.add(t);
    }

    @Override
    public boolean remove(Object t) {
      Runtime.getRuntime().halt(HALTED);
      return false;
    }

    @Override
    public Iterator<Thread> iterator() {
      return threads.iterator();
    }

    @Override
    public int size() {
      return threads.size();
    }
  }

  /** Waits on word 0 of a cell; the JVM halts as the wait ends (see {@link HaltOnRemove}). */
  static void waitAndDieLeaving(Args args) throws Exception {
    SyncCell cell = SyncCell.attach(args.getString(0));
    Field parked = SyncCell.class.getDeclaredField("parked");
    parked.setAccessible(true);
    parked.set(cell, new HaltOnRemove());
    cell.await(slow -> cell.getInt(0) != 0, Long.MAX_VALUE);
  }

  @Test
  void aJvmThatDiesLeavingAWaitLeavesTheOtherWaitersCounted() throws Exception {
    SyncCell cell = SyncCell.create();
    Thread local = new Thread(() -> {
      try {
        cell.await(slow -> cell.getInt(4) != 0, Long.MAX_VALUE);
      } catch (InterruptedException e) {
        // ends the test's thread
      }
    }, "local-waiter");
    local.start();
    try {
      assertThat(Pids.await(() -> cell.waiters() == 1, Waits.JOIN)).isTrue();
      Process p = Process.builder().target(SyncCellDeadWaiterTest::waitAndDieLeaving).args(cell.name()).build();
      p.start();
      try {
        assertThat(Pids.await(() -> cell.waiters() == 2, Waits.JOIN)).isTrue();
        cell.setInt(0, 1);
        cell.wakeAll(); // the child re-tries, succeeds, and dies on its way out
        assertThat(p.join(Waits.JOIN)).isTrue();
        assertThat(p.exitCode()).isEqualTo(HALTED);
      } finally {
        if (p.isAlive()) {
          p.kill();
        }
        p.join(Waits.JOIN);
      }
      cell.wakeAll(); // finds the dead JVM (if it is still in the table) and drops it
      assertThat(cell.waiters()).as("the local thread still waits").isEqualTo(1);
      assertThat(local.isAlive()).isTrue();
    } finally {
      cell.setInt(4, 1);
      cell.wakeAll();
      local.join(Waits.JOIN.toMillis());
    }
    assertThat(local.isAlive()).isFalse();
  }
}
