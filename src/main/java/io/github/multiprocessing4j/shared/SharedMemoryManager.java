package io.github.multiprocessing4j.shared;

import io.github.multiprocessing4j.internal.runtime.ExitActions;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Creates {@link SharedMemory} blocks and {@link ShareableList}s and unlinks every one of them at
 * {@link #shutdown()}: CPython's {@code multiprocessing.managers.SharedMemoryManager}.
 *
 * <pre>{@code
 * try (SharedMemoryManager smm = new SharedMemoryManager()) {   // CPython's `with SharedMemoryManager() as smm:`
 *   SharedMemory shm = smm.sharedMemory(128);
 *   ShareableList sl = smm.shareableList(List.of(1, 2.5, "three"));
 *   Process p = new Process(args -> {
 *     args.get(0, ShareableList.class).set(0, 42L);              // the blocks travel as usual
 *   }, sl);
 *   p.start();
 *   p.join();
 * }                                                               // both blocks are unlinked here
 * }</pre>
 *
 * <p><b>No server process.</b> CPython's manager starts a server process that records the blocks'
 * names and unlinks them when it shuts down, so that blocks are not left behind when their
 * creators die. Here blocks are never left behind anyway (a block is deleted once every process
 * that used it has exited or been killed: see {@link SharedMemory}), so the manager is an
 * in-process record: it is ready when constructed (there is no {@code start()}) and starts no
 * process. {@link #shutdown()} (or {@link #close()}) unlinks every block it created, as CPython's
 * does: processes that have a block mapped keep using it (the objects returned stay usable in
 * this process too), but no process can attach to it any more. A block already unlinked (by its
 * {@link SharedMemory#unlink()}) is skipped. A manager still open when this JVM exits is shut down
 * at exit, after the non-daemonic children were joined, as CPython shuts its managers down at
 * exit; its blocks are then not reported as leaked.
 *
 * <p><b>Only in the process that made it.</b> The blocks can be passed to other processes, the
 * manager cannot: serializing it (as a {@link io.github.multiprocessing4j.Process} argument, or
 * through a queue or pipe) throws {@link NotSerializableException}. A child that needs blocks
 * unlinked with the parent's receives the blocks; one that makes blocks of its own uses a manager
 * of its own.
 *
 * <p><b>Thread-safety.</b> Thread-safe: blocks may be created from several threads while another
 * shuts the manager down; a block whose creation completes after the shutdown began is unlinked
 * again, and its creator gets the {@link IllegalStateException}.
 *
 * <p>Unless stated otherwise, passing {@code null} to a method of this class throws a
 * {@link NullPointerException}.
 */
public final class SharedMemoryManager implements AutoCloseable, Serializable {

  private static final long serialVersionUID = 1L;

  /** Managers not shut down yet: shut down at exit. */
  private static final Set<SharedMemoryManager> OPEN = ConcurrentHashMap.newKeySet();
  private static final AtomicBoolean EXIT_REGISTERED = new AtomicBoolean();

  /** Guards {@link #blocks} and {@link #shutDown}. */
  private final transient Object guard = new Object();
  /** The blocks created and not unlinked by this manager yet. */
  private final transient List<SharedMemory> blocks = new ArrayList<>();
  /** Whether {@link #shutdown()} was called. */
  private transient boolean shutDown;

  /**
   * Creates a manager, ready for use: CPython's {@code SharedMemoryManager()} followed by
   * {@code start()} (or entering its {@code with} block).
   */
  public SharedMemoryManager() {
    if (EXIT_REGISTERED.compareAndSet(false, true)) {
      ExitActions.onExitFlush(SharedMemoryManager::shutdownAllAtExit); // before segments are released
    }
    OPEN.add(this);
  }

  /**
   * Creates a zero-filled block with a random name, unlinked at {@link #shutdown()}: CPython's
   * {@code smm.SharedMemory(size)}.
   *
   * @param size its size in bytes, 1 or more (see {@link SharedMemory#create(long)})
   * @return the block, mapped in this process
   * @throws IllegalStateException {@code "Manager has shut down ..."} after {@link #shutdown()}
   * @throws IllegalArgumentException for a size as {@link SharedMemory#create(long)}, with CPython's
   *     messages
   * @throws SharedMemoryException if the operating system refuses
   */
  public SharedMemory sharedMemory(long size) {
    checkOpen();
    SharedMemory shm = SharedMemory.create(size);
    track(shm);
    return shm;
  }

  /**
   * Creates a list holding the items of {@code sequence} in a new block with a random name,
   * unlinked at {@link #shutdown()}: CPython's {@code smm.ShareableList(sequence)}.
   *
   * @param sequence the items (see {@link ShareableList} for the kinds allowed)
   * @return the list
   * @throws IllegalStateException {@code "Manager has shut down ..."} after {@link #shutdown()}
   * @throws IllegalArgumentException for an item of another kind, naming its index
   * @throws SharedMemoryException if the operating system refuses the memory
   */
  public ShareableList shareableList(List<?> sequence) {
    Objects.requireNonNull(sequence, "sequence");
    checkOpen();
    ShareableList list = ShareableList.create(sequence);
    track(list.shm());
    return list;
  }

  private void checkOpen() {
    synchronized (guard) {
      if (shutDown) {
        throw shutDownError();
      }
    }
  }

  private static IllegalStateException shutDownError() {
    return new IllegalStateException("Manager has shut down: this SharedMemoryManager creates no more blocks");
  }

  private void track(SharedMemory shm) {
    synchronized (guard) {
      if (!shutDown) {
        blocks.add(shm);
        return;
      }
    }
    // Shut down while the block was being made: it must not outlive the shutdown.
    try {
      shm.unlink();
    } catch (SharedMemoryException e) {
      // deleted at exit all the same
    }
    shm.close();
    throw shutDownError();
  }

  /**
   * Returns the names of the blocks this manager created and will unlink at {@link #shutdown()}
   * (those unlinked meanwhile by their own {@link SharedMemory#unlink()} included): what CPython's
   * manager server lists ({@code list_segments}).
   *
   * @return the names, in creation order; empty after {@link #shutdown()}
   */
  public List<String> segmentNames() {
    synchronized (guard) {
      List<String> names = new ArrayList<>(blocks.size());
      for (SharedMemory shm : blocks) {
        names.add(shm.name());
      }
      return names;
    }
  }

  /**
   * Unlinks every block this manager created, and makes it refuse to create more: CPython's
   * {@code shutdown()}. The objects returned stay usable where they are mapped, as in CPython; a
   * block already unlinked is skipped. Idempotent: later calls return at once.
   *
   * @throws SharedMemoryException if the operating system refused to unlink a block (every other
   *     block is unlinked all the same; further failures are suppressed exceptions of this one)
   */
  public void shutdown() {
    List<SharedMemory> todo;
    synchronized (guard) {
      if (shutDown) {
        return;
      }
      shutDown = true;
      todo = new ArrayList<>(blocks);
      blocks.clear();
    }
    OPEN.remove(this);
    SharedMemoryException failure = null;
    for (SharedMemory shm : todo) {
      try {
        shm.unlink();
      } catch (SharedMemoryNotFoundException e) {
        // unlinked already, by its owner: nothing left to do (CPython's server would fail here)
      } catch (SharedMemoryException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Shuts the manager down: {@link #shutdown()}, so that try-with-resources is CPython's
   * {@code with SharedMemoryManager() as smm:}.
   *
   * @throws SharedMemoryException as {@link #shutdown()}
   */
  @Override
  public void close() {
    shutdown();
  }

  /**
   * Tells whether {@link #shutdown()} (or {@link #close()}) was called.
   *
   * @return whether this manager is shut down
   */
  public boolean isShutdown() {
    synchronized (guard) {
      return shutDown;
    }
  }

  private static void shutdownAllAtExit() {
    for (SharedMemoryManager m : new ArrayList<>(OPEN)) {
      try {
        m.shutdown();
      } catch (RuntimeException e) {
        // the segments are deleted at exit all the same, once unused
      }
    }
  }

  /**
   * Describes the manager: {@code SharedMemoryManager(blocks=[psm_1a2b3c4d])}, or
   * {@code SharedMemoryManager(shut down)}.
   *
   * @return the description
   */
  @Override
  public String toString() {
    synchronized (guard) {
      return shutDown ? "SharedMemoryManager(shut down)" : "SharedMemoryManager(blocks=" + segmentNames() + ")";
    }
  }

  /**
   * Refuses to be serialized: the manager belongs to the process that made it.
   *
   * @return nothing
   * @throws NotSerializableException always
   */
  private Object writeReplace() throws NotSerializableException {
    throw new NotSerializableException(getClass().getName() + " (a SharedMemoryManager cannot be passed to another"
        + " process: pass the blocks it created, which travel by name, and shut it down in this process)");
  }

  /**
   * Refuses any stream that claims to hold a manager.
   *
   * @param in the stream
   * @throws InvalidObjectException always
   */
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a SharedMemoryManager cannot be deserialized");
  }
}
