package io.github.multiprocessing4j.internal.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Tracks which processes an IPC object was handed to as a start argument, so that an end waiting
 * for its peer can tell "the peer may still come" from "everyone who could bring it has ended".
 *
 * <p>{@code Process.start()} brackets the encoding of its bootstrap with {@link #begin()} and
 * {@link #end(BooleanSupplier)}; an object serialized meanwhile {@link #record records} itself. In a
 * child, an object decoded from the bootstrap can ask whether it came from the parent.
 */
public final class Handoffs {

  private static final ThreadLocal<List<Consumer<BooleanSupplier>>> PENDING = new ThreadLocal<>();

  private Handoffs() {}

  /** Starts collecting the objects a bootstrap being encoded in this thread carries. */
  public static void begin() {
    PENDING.set(new ArrayList<>());
  }

  /**
   * Tells every object collected since {@link #begin()} which process received it.
   *
   * @param recipientAlive whether that process is still running
   */
  public static void end(BooleanSupplier recipientAlive) {
    List<Consumer<BooleanSupplier>> list = PENDING.get();
    PENDING.remove();
    if (list != null) {
      for (Consumer<BooleanSupplier> c : list) {
        c.accept(recipientAlive);
      }
    }
  }

  /** Forgets the objects collected since {@link #begin()}: the start failed. */
  public static void abort() {
    PENDING.remove();
  }

  /**
   * Called by an object being serialized: if a bootstrap is being encoded, the callback learns who
   * received it once the child runs.
   *
   * @param onHandedOff receives the recipient's liveness
   * @return whether a bootstrap is being encoded (else the object goes somewhere untracked)
   */
  public static boolean record(Consumer<BooleanSupplier> onHandedOff) {
    List<Consumer<BooleanSupplier>> list = PENDING.get();
    if (list != null) {
      list.add(onHandedOff);
    }
    return list != null;
  }

  /**
   * Whether an object being deserialized in this thread came from the parent's bootstrap.
   *
   * @return true while the child decodes its arguments
   */
  public static boolean fromParent() {
    return Bootstrap.decodingThread == Thread.currentThread();
  }
}
