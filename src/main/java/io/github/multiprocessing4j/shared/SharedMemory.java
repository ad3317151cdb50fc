package io.github.multiprocessing4j.shared;

import io.github.multiprocessing4j.internal.shm.Segment;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.Objects;

/**
 * A named block of memory that several processes read and write: CPython's
 * {@code multiprocessing.shared_memory.SharedMemory}.
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.create(10)) {     // a random name: psm_1a2b3c4d
 *   shm.buf().put(0, (byte) 42);
 *   Process p = Process.builder().target(args -> {
 *     SharedMemory same = args.get(0, SharedMemory.class);   // attached by name in the child
 *     same.buf().put(1, (byte) (same.buf().get(0) + 1));
 *   }).args(shm).build();
 *   p.start();
 *   p.join();
 *   System.out.println(shm.buf().get(1));                // 43
 *   shm.unlink();
 * }
 * }</pre>
 *
 * <p><b>Creating and attaching.</b> {@link #create(long)} makes a zero-filled block with a random
 * name ({@code psm_} and 8 hex digits), {@link #create(String, long)} one with a given name, and
 * {@link #attach(String)} maps an existing block by name; {@link #open(String, boolean, long)} is
 * CPython's constructor {@code SharedMemory(name, create, size)} with its checks and messages.
 * Another process can attach to the block by name, or receive this object as a
 * {@link io.github.multiprocessing4j.Process} argument (or through a queue or pipe): it travels as
 * its name and size and attaches on the other side, as CPython's pickling does.
 *
 * <p><b>Names.</b> A name is a file name in the user's private shared-memory directory
 * ({@code /dev/shm/multiprocessing4j-<uid>/segments} on Linux, mode {@code 0700}): names are private
 * to the user and to this library, not system-wide POSIX names, so a block cannot be opened by a
 * non-Java program with {@code shm_open}. 1 to 200 characters, no {@code '/'}, {@code '\'} or NUL,
 * not starting with a dot.
 *
 * <p><b>Lifetime.</b> {@link #close()} only gives up this object's view; {@link #unlink()} removes
 * the name, as {@code shm_unlink}: processes that have the block mapped keep using it. A block is
 * never left behind: when every process that used it has exited (or been killed, SIGKILL
 * included), it is deleted, at the last user's exit or by the next JVM of the user that creates or
 * attaches shared memory. If a JVM's exit deletes a block that was never unlinked, it logs a
 * warning (SLF4J, {@code WARN}, logger {@code io.github.multiprocessing4j.internal.shm.Segment}), as
 * CPython's resource tracker warns about leaked shared memory at shutdown: unlink what you create.
 * Unlike CPython 3.12's tracker, a process that merely attached never deletes a block another
 * process still uses.
 *
 * <p><b>Thread-safety.</b> This object is thread-safe; the memory itself is not synchronised:
 * coordinate readers and writers (with a lock, or with the atomic operations of
 * {@link RawValue}/{@link RawArray}). The {@link ByteBuffer} views are not thread-safe (each has a
 * position and a limit): use one per thread, or absolute {@code get(int)}/{@code put(int, ...)}.
 *
 * <p>Unless stated otherwise, passing {@code null} to a method of this class throws a
 * {@link NullPointerException}.
 */
public final class SharedMemory implements AutoCloseable, Serializable {

  private static final long serialVersionUID = 1L;
  /** The prefix of random names, as CPython's on POSIX. */
  static final String PREFIX = "psm_";

  private final transient Segment segment;
  private final transient String name;
  private final transient int size;

  private SharedMemory(Segment segment) {
    this.segment = segment;
    this.name = segment.name();
    this.size = segment.size();
    segment.trackLeak();
  }

  /**
   * Creates a zero-filled block with a random name ({@code psm_} and 8 hex digits):
   * CPython's {@code SharedMemory(create=True, size=size)}.
   *
   * @param size its size in bytes, 1 to {@value Segment#MAX_SIZE}
   * @return the block, mapped in this process
   * @throws IllegalArgumentException {@code "'size' must be a positive number different from zero"}
   *     for 0, {@code "'size' must be a positive integer"} for a negative size, or a size above the
   *     maximum
   * @throws SharedMemoryException if the operating system refuses
   */
  public static SharedMemory create(long size) {
    return open(null, true, size);
  }

  /**
   * Creates a zero-filled block with the given name: CPython's
   * {@code SharedMemory(name, create=True, size=size)}.
   *
   * @param name the name; null for a random one
   * @param size its size in bytes, 1 to {@value Segment#MAX_SIZE}
   * @return the block, mapped in this process
   * @throws SharedMemoryExistsException if a block of that name exists
   * @throws IllegalArgumentException for a size as {@link #create(long)}, or a name that is not
   *     allowed (see the class comment)
   * @throws SharedMemoryException if the operating system refuses
   */
  public static SharedMemory create(String name, long size) {
    return open(name, true, size);
  }

  /**
   * Attaches to an existing block by name: CPython's {@code SharedMemory(name)}. Its
   * {@link #size()} is the block's.
   *
   * @param name the name
   * @return the block, mapped in this process
   * @throws SharedMemoryNotFoundException if there is no block of that name
   * @throws IllegalArgumentException if the name is not allowed, and
   *     {@code "'name' can only be None if create=True"} if it is null (CPython's message)
   * @throws SharedMemoryException if the operating system refuses
   */
  public static SharedMemory attach(String name) {
    return open(name, false, 0);
  }

  /**
   * CPython's constructor {@code SharedMemory(name=None, create=False, size=0)}, with its checks in
   * its order: a negative size, then (when creating) a zero size, then a null name without
   * {@code create}. When attaching, {@code size} is ignored (as CPython does): the block's own size
   * counts.
   *
   * @param name the name; null for a random one when {@code create}
   * @param create whether to create the block (and fail if it exists) or attach to it
   * @param size the size in bytes when creating
   * @return the block, mapped in this process
   * @throws IllegalArgumentException {@code "'size' must be a positive integer"} for a negative
   *     size, {@code "'size' must be a positive number different from zero"} for 0 when creating,
   *     {@code "'name' can only be None if create=True"} for a null name when attaching (CPython's
   *     {@code ValueError}), a size above {@value Segment#MAX_SIZE}, or a name that is not allowed
   * @throws SharedMemoryExistsException if {@code create} and a block of that name exists
   * @throws SharedMemoryNotFoundException if attaching and there is no block of that name
   * @throws SharedMemoryException if the operating system refuses
   */
  public static SharedMemory open(String name, boolean create, long size) {
    if (size < 0) {
      throw new IllegalArgumentException("'size' must be a positive integer");
    }
    if (create && size == 0) {
      throw new IllegalArgumentException("'size' must be a positive number different from zero");
    }
    if (name == null && !create) {
      throw new IllegalArgumentException("'name' can only be None if create=True");
    }
    if (create && size > Segment.MAX_SIZE) {
      throw new IllegalArgumentException("'size' must be at most " + Segment.MAX_SIZE + " bytes, not " + size);
    }
    if (name != null) {
      Segment.checkName(name);
    }
    try {
      return new SharedMemory(create ? Segment.create(name, PREFIX, size) : Segment.attach(name));
    } catch (FileAlreadyExistsException e) {
      throw new SharedMemoryExistsException(name, e);
    } catch (NoSuchFileException e) {
      throw new SharedMemoryNotFoundException(name, e);
    } catch (IOException e) {
      throw new SharedMemoryException((create ? "cannot create shared memory " : "cannot attach shared memory ")
          + (name == null ? "" : "'" + name + "'") + " of " + size + " bytes: " + e, e);
    }
  }

  /**
   * Returns the block's name, as CPython's {@code name} (without a leading slash).
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the block's size in bytes: the size it was created with, also when attached.
   *
   * @return the size
   */
  public int size() {
    return size;
  }

  /**
   * Returns a view of the whole block: CPython's {@code buf}. Each call returns a new
   * {@link ByteBuffer} over the same memory, with its own position (0) and limit ({@link #size()}),
   * in the platform's native byte order (as CPython's {@code struct} with {@code '@'}). Writes
   * through it are seen by every process that has the block mapped.
   *
   * <p>A view obtained before {@link #close()} stays usable afterwards (Java cannot revoke it; the
   * memory stays mapped until this JVM exits or the view is collected, so it never faults), but
   * this method throws: do not keep views past {@code close()}.
   *
   * @return a view of the block
   * @throws IllegalStateException if this object was closed
   */
  public ByteBuffer buf() {
    if (segment.isClosed()) {
      throw new IllegalStateException("SharedMemory '" + name + "' is closed: its buffer was released");
    }
    return segment.buffer();
  }

  /**
   * Gives up this object's view of the block: {@link #buf()} throws afterwards. The block itself
   * stays (for other objects and processes) until it is {@linkplain #unlink() unlinked} and
   * unused. Idempotent; throws nothing.
   */
  @Override
  public void close() {
    segment.close();
  }

  /**
   * Tells whether {@link #close()} was called.
   *
   * @return whether this object is closed
   */
  public boolean isClosed() {
    return segment.isClosed();
  }

  /**
   * Removes the block's name, as CPython's {@code unlink()} ({@code shm_unlink}): no process can
   * attach to it any more and the name can be created again, while processes that have it mapped
   * (this one included) keep using it until they close it or exit. Call it once, in one process,
   * when every process has attached. Works on a closed object too.
   *
   * @throws SharedMemoryNotFoundException if the name was already removed (by this or another
   *     process), as CPython's second {@code unlink()}
   * @throws SharedMemoryException if the operating system refuses
   */
  public void unlink() {
    try {
      segment.unlink();
    } catch (NoSuchFileException e) {
      throw new SharedMemoryNotFoundException(name, e);
    } catch (IOException e) {
      throw new SharedMemoryException("cannot unlink shared memory '" + name + "': " + e, e);
    }
  }

  /**
   * Returns CPython's {@code repr}: {@code SharedMemory('psm_a71c74a7', size=10)}.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "SharedMemory('" + name + "', size=" + size + ")";
  }

  /**
   * Serializes as the name and size: the receiving process attaches by name.
   *
   * @return the serialized form
   */
  private Object writeReplace() {
    return SharedRefs.sharedMemory(name, size);
  }

  /**
   * Refuses a stream that claims to hold this class directly.
   *
   * @param in the stream
   * @throws InvalidObjectException always
   */
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a SharedMemory is deserialized through its reference only");
  }
}
