package io.github.multiprocessing4j.internal.access;

import java.io.InvalidObjectException;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The serialized form of every object that travels to another process by name rather than by
 * value: synchronisation objects, shared memory, queues, pipe ends and manager proxies. It holds what the object is
 * ({@link Kind}), a name (of its shared memory, its queue server or its pipe's files) and what else
 * that kind needs; the process that reads it gets its own object for the same thing from the
 * resolver that the kind's package registered. One proxy type, so that there is one place where a
 * stream is checked and one class for a deserialization filter to name.
 *
 * <p>Each package registers its resolver when its registrar class (named by {@link Owner})
 * initialises. A JVM that reads a reference before it used anything of that package initialises
 * the registrar on first use, as the JDK's {@code SharedSecrets} does; only the registrars of
 * {@link Owner} are ever initialised that way, so a stream cannot make this class initialise any
 * other. This package names them as strings: it uses nothing of the library.
 *
 * <p>A reference that this library did not write (an unknown or absent kind or name, a missing or
 * out-of-range number, a missing or mistyped part) is refused with an
 * {@link InvalidObjectException}, never a {@link ClassCastException} or
 * {@link NullPointerException}. Immutable; the registry is thread-safe.
 */
public final class ObjectRef implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The packages that resolve references, each by the class that registers its resolver. */
  public enum Owner {
    /** {@code io.github.multiprocessing4j.sync}. */
    SYNC("io.github.multiprocessing4j.sync.SyncRefs"),
    /** {@code io.github.multiprocessing4j.shared}. */
    SHARED("io.github.multiprocessing4j.shared.SharedRefs"),
    /** {@code io.github.multiprocessing4j.queues}. */
    QUEUES("io.github.multiprocessing4j.queues.QueueRefs"),
    /** {@code io.github.multiprocessing4j.connection}. */
    CONNECTION("io.github.multiprocessing4j.connection.ConnectionRefs"),
    /** {@code io.github.multiprocessing4j.managers}. */
    MANAGERS("io.github.multiprocessing4j.managers.ManagerRefs");

    /** The class whose initialiser registers the package's resolver. */
    private final String registrar;

    Owner(String registrar) {
      this.registrar = registrar;
    }

    /**
     * The fully-qualified name of the class that registers this package's resolver.
     *
     * @return the class name
     */
    public String registrar() {
      return registrar;
    }
  }

  /** What a reference resolves to, and which package resolves it. */
  public enum Kind {
    /** A {@code sync.Lock}. */
    LOCK(Owner.SYNC, "Lock"),
    /** A {@code sync.RLock}. */
    RLOCK(Owner.SYNC, "RLock"),
    /** A {@code sync.Event}. */
    EVENT(Owner.SYNC, "Event"),
    /** A {@code sync.Semaphore}. */
    SEMAPHORE(Owner.SYNC, "Semaphore"),
    /** A {@code sync.BoundedSemaphore}. */
    BOUNDED_SEMAPHORE(Owner.SYNC, "BoundedSemaphore"),
    /** A {@code sync.Condition}: parts its {@code Lock} and its {@code RLock}, one of them null. */
    CONDITION(Owner.SYNC, "Condition"),
    /** A {@code sync.Barrier}: parts its condition, action and timeout. */
    BARRIER(Owner.SYNC, "Barrier"),
    /** A {@code shared.SharedMemory}: number its size. */
    SHARED_MEMORY(Owner.SHARED, "SharedMemory"),
    /** A {@code shared.ShareableList}. */
    SHAREABLE_LIST(Owner.SHARED, "ShareableList"),
    /** A {@code shared.RawValue}: numbers its typecode and length. */
    RAW_VALUE(Owner.SHARED, "RawValue"),
    /** A {@code shared.RawArray}: numbers its typecode and length. */
    RAW_ARRAY(Owner.SHARED, "RawArray"),
    /** A {@code queues.Queue}, named by its creator's server: numbers its id, creator's pid, limit. */
    QUEUE(Owner.QUEUES, "Queue"),
    /** A {@code queues.JoinableQueue}: as {@link #QUEUE}. */
    JOINABLE_QUEUE(Owner.QUEUES, "JoinableQueue"),
    /** A {@code queues.SimpleQueue}: as {@link #QUEUE}, of the queue underneath. */
    SIMPLE_QUEUE(Owner.QUEUES, "SimpleQueue"),
    /**
     * An end of a {@code connection.Pipe}, named by its state file: detail its ring file; numbers
     * its side, then 1 or 0 for readable and for writable.
     */
    PIPE_END(Owner.CONNECTION, "pipe end"),
    /**
     * A proxy of an object a manager serves, named by the manager's address: parts its type id,
     * the name of the interface the proxy implements, the object's id there (a {@code Long}), the
     * manager's authkey or null, and the session that holds a reference for the reader or null
     * (both set only in a child's start arguments).
     */
    MANAGED_PROXY(Owner.MANAGERS, "manager proxy");

    private final Owner owner;
    private final String what;

    Kind(Owner owner, String what) {
      this.owner = owner;
      this.what = what;
    }

    /**
     * The package that resolves this kind.
     *
     * @return the owner
     */
    public Owner owner() {
      return owner;
    }

    /**
     * What this kind is called in messages: {@code "Lock"}, {@code "pipe end"}.
     *
     * @return the description
     */
    public String what() {
      return what;
    }
  }

  /** Makes a process's own object from a reference of its package's kinds. */
  @FunctionalInterface
  public interface Resolver {
    /**
     * Resolves a reference.
     *
     * @param ref a reference of one of the registering package's kinds
     * @return this process's object; never null
     * @throws InvalidObjectException if the reference is not one the package wrote
     */
    Object resolve(ObjectRef ref) throws InvalidObjectException;
  }

  private static final AtomicReferenceArray<Resolver> RESOLVERS =
      new AtomicReferenceArray<>(Owner.values().length);

  // Strings and numbers rather than an enum and boxes: a deserialization filter is asked about the
  // class of every object, enum and array read (an enum's superclass too) but not about strings or
  // primitive arrays, so an allow-list need name only this class to let the library's objects
  // through, as it needed only the old per-class proxies.

  /** The name of its {@link Kind}. */
  private final String kind;
  /** The name of its memory, queue server or pipe state file. */
  private final String name;
  /** A second name the kind needs (a pipe's ring file), or null. */
  private final String detail;
  /** The numbers the kind needs, in the order its resolver reads them, or null if none. */
  private final long[] numbers;
  /** The objects the kind needs (a condition's lock, a barrier's parts), or null if none. */
  private final Object[] parts;

  private ObjectRef(Kind kind, String name, String detail, long[] numbers, Object[] parts) {
    this.kind = kind.name();
    this.name = Objects.requireNonNull(name, "name");
    this.detail = detail;
    this.numbers = numbers.length == 0 ? null : numbers.clone();
    this.parts = parts.length == 0 ? null : parts.clone();
  }

  /** The fields as they are, unchecked and not normalised: what a stream gives back. */
  private ObjectRef(String kind, String name, String detail, long[] numbers, Object[] parts,
      boolean raw) {
    this.kind = kind;
    this.name = name;
    this.detail = detail;
    this.numbers = numbers;
    this.parts = parts;
  }

  /**
   * Makes a reference of fields read from a stream, as {@link java.io.ObjectInputStream} would
   * fill them in: nothing is checked or normalised here, any of them may be null or hold anything.
   * The result must only be {@link #resolve() resolved}, which applies the checks a reference read
   * by Java serialization goes through. For a codec that writes references in a form of its own,
   * with {@link #kindName()}, {@link #name()}, {@link #detailOrNull()}, {@link #numbersOrNull()}
   * and {@link #partsOrNull()}. Thread-safe; the arrays must not change afterwards.
   *
   * @param kind the name of its {@link Kind}, or anything else
   * @param name its name
   * @param detail its second name
   * @param numbers its numbers, kept (not copied)
   * @param parts its parts, kept (not copied)
   * @return the reference, unresolved
   */
  public static ObjectRef fromStream(String kind, String name, String detail, long[] numbers,
      Object[] parts) {
    return new ObjectRef(kind, name, detail, numbers, parts, true);
  }

  /**
   * Makes a reference of a name and numbers.
   *
   * @param kind what it resolves to
   * @param name the name of what it refers to
   * @param numbers what else the kind needs
   * @return the reference
   * @throws NullPointerException if {@code kind} or {@code name} is null
   */
  public static ObjectRef of(Kind kind, String name, long... numbers) {
    return new ObjectRef(kind, name, null, numbers, new Object[0]);
  }

  /**
   * Makes a reference of two names and numbers.
   *
   * @param kind what it resolves to
   * @param name the name of what it refers to
   * @param detail a second name
   * @param numbers what else the kind needs
   * @return the reference
   * @throws NullPointerException if {@code kind}, {@code name} or {@code detail} is null
   */
  public static ObjectRef of(Kind kind, String name, String detail, long... numbers) {
    return new ObjectRef(kind, name, Objects.requireNonNull(detail, "detail"), numbers, new Object[0]);
  }

  /**
   * Makes a reference of a name and objects, each serialized in its own right.
   *
   * @param kind what it resolves to
   * @param name the name of what it refers to
   * @param parts what else the kind needs, serializable, each may be null
   * @return the reference
   * @throws NullPointerException if {@code kind} or {@code name} is null
   */
  public static ObjectRef withParts(Kind kind, String name, Object... parts) {
    return new ObjectRef(kind, name, null, new long[0], parts);
  }

  /**
   * Registers a package's resolver; called once, by the initialiser of the owner's registrar.
   *
   * @param owner the package
   * @param registrar the calling class, which must be {@link Owner#registrar()}
   * @param resolver resolves the owner's kinds
   * @throws IllegalArgumentException if {@code registrar} is not the owner's registrar
   */
  public static void register(Owner owner, Class<?> registrar, Resolver resolver) {
    if (!registrar.getName().equals(owner.registrar)) {
      throw new IllegalArgumentException(registrar.getName() + " is not the registrar of " + owner
          + " (" + owner.registrar + ")");
    }
    RESOLVERS.set(owner.ordinal(), Objects.requireNonNull(resolver, "resolver"));
  }

  /**
   * What the reference resolves to.
   *
   * @return the kind; never null
   */
  public Kind kind() {
    return Kind.valueOf(kind); // a reference read from a stream has been checked by readResolve
  }

  /**
   * The name of what the reference refers to.
   *
   * @return the name; never null
   */
  public String name() {
    return name;
  }

  /**
   * The name of its {@link Kind}, as it is written: for a codec that writes references in a form
   * of its own. Thread-safe, as the reference is immutable.
   *
   * @return the kind's name; never null for a reference made by this library
   */
  public String kindName() {
    return kind;
  }

  /**
   * The second name, as it is written. Thread-safe.
   *
   * @return the second name, or null if there is none
   */
  public String detailOrNull() {
    return detail;
  }

  /**
   * A copy of the numbers, as they are written. Thread-safe.
   *
   * @return the numbers, or null if there are none
   */
  public long[] numbersOrNull() {
    return numbers == null ? null : numbers.clone();
  }

  /**
   * A copy of the parts, as they are written. Thread-safe.
   *
   * @return the parts, or null if there are none
   */
  public Object[] partsOrNull() {
    return parts == null ? null : parts.clone();
  }

  /**
   * The second name.
   *
   * @return the name
   * @throws InvalidObjectException if the reference has none
   */
  public String detail() throws InvalidObjectException {
    if (detail == null) {
      throw refused();
    }
    return detail;
  }

  /**
   * Number {@code i}.
   *
   * @param i its index
   * @return the number
   * @throws InvalidObjectException if the reference has no number {@code i}
   */
  public long number(int i) throws InvalidObjectException {
    if (i < 0 || numbers == null || i >= numbers.length) {
      throw refused();
    }
    return numbers[i];
  }

  /**
   * Number {@code i}, which must be an {@code int} from {@code min} to {@code max}.
   *
   * @param i its index
   * @param min the least it may be
   * @param max the most it may be
   * @return the number
   * @throws InvalidObjectException if the reference has no number {@code i}, or it is out of range
   */
  public int number(int i, int min, int max) throws InvalidObjectException {
    long n = number(i);
    if (n < min || n > max) {
      throw refused();
    }
    return (int) n;
  }

  /**
   * Part {@code i}, which may be null.
   *
   * @param i its index
   * @param type what it must be
   * @param <T> its type
   * @return the part, or null
   * @throws InvalidObjectException if the reference has no part {@code i}, or it is something else
   */
  public <T> T part(int i, Class<T> type) throws InvalidObjectException {
    if (i < 0 || parts == null || i >= parts.length || (parts[i] != null && !type.isInstance(parts[i]))) {
      throw refused();
    }
    return type.cast(parts[i]);
  }

  /**
   * Part {@code i}, which must be there.
   *
   * @param i its index
   * @param type what it must be
   * @param <T> its type
   * @return the part; never null
   * @throws InvalidObjectException if the reference has no part {@code i}, or it is null or
   *     something else
   */
  public <T> T required(int i, Class<T> type) throws InvalidObjectException {
    T part = part(i, type);
    if (part == null) {
      throw refused();
    }
    return part;
  }

  /**
   * The refusal of a reference that this library did not write: {@code "not a Lock reference"}.
   *
   * @return the exception, for the caller to throw
   */
  public InvalidObjectException refused() {
    return new InvalidObjectException("not a " + kind().what + " reference");
  }

  @Override
  public String toString() {
    return "ObjectRef[" + kind + " " + name + (detail == null ? "" : " " + detail)
        + (numbers == null ? "" : " " + Arrays.toString(numbers))
        + (parts == null ? "" : " " + Arrays.toString(parts)) + "]";
  }

  /**
   * Resolves to this process's object, through the resolver of the kind's package.
   *
   * @return the object
   * @throws InvalidObjectException if the reference is not one this library wrote, or its object
   *     cannot be had here (for example, its shared memory no longer exists)
   */
  private Object readResolve() throws InvalidObjectException {
    return resolve();
  }

  /**
   * Resolves a reference read from a stream to this process's object, through the resolver of
   * the kind's package, with the checks that Java serialization's {@code readResolve} applies
   * (it calls this): an unknown or absent kind or an absent name is refused here, anything else
   * the kind needs by its resolver. The resolver's package is initialised if it was not, as
   * {@link Owner} says; only those classes ever are. Thread-safe.
   *
   * @return the object; never null
   * @throws InvalidObjectException if the reference is not one this library wrote, or its object
   *     cannot be had here (for example, its shared memory no longer exists)
   */
  public Object resolve() throws InvalidObjectException {
    Kind k;
    try {
      k = Kind.valueOf(kind);
    } catch (IllegalArgumentException | NullPointerException e) {
      k = null;
    }
    if (k == null || name == null) {
      throw new InvalidObjectException("not a reference to a multiprocessing4j object: " + kind + " " + name);
    }
    Object o = resolver(k.owner).resolve(this);
    if (o == null) {
      throw refused();
    }
    return o;
  }

  private static Resolver resolver(Owner owner) throws InvalidObjectException {
    Resolver r = RESOLVERS.get(owner.ordinal());
    if (r == null) {
      try {
        // The owner's name from the fixed enum, never one read from the stream.
        Class.forName(owner.registrar, true, ObjectRef.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        InvalidObjectException x = new InvalidObjectException("cannot resolve a reference of " + owner
            + ": " + owner.registrar + " is missing");
        x.initCause(e);
        throw x;
      }
      r = RESOLVERS.get(owner.ordinal());
      if (r == null) {
        throw new InvalidObjectException("cannot resolve a reference of " + owner + ": " + owner.registrar
            + " registered no resolver");
      }
    }
    return r;
  }
}
