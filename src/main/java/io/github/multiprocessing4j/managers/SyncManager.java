package io.github.multiprocessing4j.managers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A manager with CPython's {@code SyncManager} types registered: {@link #dict()} (a
 * {@link java.util.Map}), {@link #list()} (a {@link java.util.List}), {@link #namespace()} and
 * {@link #queue()} (a {@link java.util.concurrent.BlockingQueue}) and {@link #value(Object)}.
 * {@code multiprocessing.Manager()} is {@code new SyncManager()} then {@link #start()}. Its server
 * process is named {@code SyncManager-N}.
 *
 * <pre>{@code
 * try (SyncManager manager = new SyncManager()) {
 *   manager.start();
 *   Map<String, Integer> scores = manager.dict();
 *   new Process(a -> a.get(0, Map.class).put("child", 1), scores).start();
 * }
 * }</pre>
 *
 * <p><b>Copies.</b> What a proxy returns is a copy: {@code d.get("a").add(x)} changes the copy,
 * not the list in the dict; put the changed value back ({@code d.put("a", changed)}), or store a
 * proxy ({@code d.put("a", manager.list())}), which stays a proxy of the same list when read back.
 * {@code keySet()}, {@code values()} and {@code entrySet()} are copies too, and iterating or
 * streaming a proxy walks a copy taken when it starts. A proxy's {@code equals} is identity, as
 * CPython's {@code ==} of proxies: compare {@code new HashMap<>(d)} or {@code List.copyOf(l)}.
 *
 * <p>The synchronization types, whose objects live in the manager's process and whose waits
 * happen there: {@link #lock()}, {@link #rLock()}, {@link #semaphore(int)},
 * {@link #boundedSemaphore(int)} (each an {@link AcquirerProxy}), {@link #condition()},
 * {@link #event()} and {@link #barrier(int)}.
 *
 * <p>Not yet: {@code JoinableQueue}, {@code Array} and {@code Pool} proxies (use the library's
 * own, which already work across processes). Thread-safe, as {@link BaseManager}.
 */
public class SyncManager extends BaseManager {

  /** The type id of {@link #dict()}. */
  public static final String DICT = "dict";
  /** The type id of {@link #list()}. */
  public static final String LIST = "list";
  /** The type id of {@link #namespace()}. */
  public static final String NAMESPACE = "Namespace";
  /** The type id of {@link #queue()}. */
  public static final String QUEUE = "Queue";
  /** The type id of {@link #value(Object)}. */
  public static final String VALUE = "Value";

  /** Creates a manager with the defaults: a private Unix socket, this process's authkey. */
  public SyncManager() {
    this(builder());
  }

  /**
   * Creates a manager with a builder's options; its registrations are added to the standard ones.
   *
   * @param b the builder
   */
  public SyncManager(BaseManager.Builder b) {
    super(withStandardTypes(b));
  }

  private static BaseManager.Builder withStandardTypes(BaseManager.Builder b) {
    // Prepended: a registration of the builder with the same type id replaces the standard one.
    return withSynchronizationTypes(b).registerFirst(Registration.of(DICT, Map.class, SyncManager::newDict))
        .registerFirst(Registration.of(LIST, List.class, SyncManager::newList))
        .registerFirst(Registration.of(NAMESPACE, Namespace.class, args -> new NamespaceObject()))
        .registerFirst(Registration.of(QUEUE, BlockingQueue.class, SyncManager::newQueue))
        .registerFirst(Registration.of(VALUE, ValueProxy.class, args -> new ValueObject(args[0])));
  }

  private static Object newDict(Object[] args) {
    return args.length == 0 ? Collections.synchronizedMap(new LinkedHashMap<>())
        : Collections.synchronizedMap(new LinkedHashMap<>((Map<?, ?>) args[0]));
  }

  private static Object newQueue(Object[] args) {
    int maxsize = args.length == 0 ? 0 : (Integer) args[0];
    return maxsize <= 0 ? new LinkedBlockingQueue<>() : new LinkedBlockingQueue<>(maxsize);
  }

  private static Object newList(Object[] args) {
    return args.length == 0 ? Collections.synchronizedList(new ArrayList<>())
        : Collections.synchronizedList(new ArrayList<>((Collection<?>) args[0]));
  }

  /**
   * Creates an empty managed map, CPython's {@code manager.dict()}: insertion-ordered, as a
   * Python dict.
   *
   * @param <K> the key type
   * @param <V> the value type
   * @return a proxy of the map
   * @throws IllegalStateException {@code "server not yet started"}
   */
  @SuppressWarnings("unchecked") // a Map proxy: its keys and values are what the caller puts
  public <K, V> Map<K, V> dict() {
    return get(DICT, Map.class);
  }

  /**
   * Creates a managed map holding copies of the entries of {@code initial}.
   *
   * @param initial the first entries; serializable keys and values
   * @param <K> the key type
   * @param <V> the value type
   * @return a proxy of the map
   * @throws IllegalStateException {@code "server not yet started"}
   */
  @SuppressWarnings("unchecked") // as dict()
  public <K, V> Map<K, V> dict(Map<? extends K, ? extends V> initial) {
    return get(DICT, Map.class, new LinkedHashMap<>(initial));
  }

  /**
   * Creates an empty managed list, CPython's {@code manager.list()}.
   *
   * @param <E> the element type
   * @return a proxy of the list
   * @throws IllegalStateException {@code "server not yet started"}
   */
  @SuppressWarnings("unchecked") // a List proxy: its elements are what the caller adds
  public <E> List<E> list() {
    return get(LIST, List.class);
  }

  /**
   * Creates a managed list holding copies of the elements of {@code initial}.
   *
   * @param initial the first elements; serializable
   * @param <E> the element type
   * @return a proxy of the list
   * @throws IllegalStateException {@code "server not yet started"}
   */
  @SuppressWarnings("unchecked") // as list()
  public <E> List<E> list(Collection<? extends E> initial) {
    return get(LIST, List.class, new ArrayList<>(initial));
  }

  /**
   * Creates an unbounded managed queue, CPython's {@code manager.Queue()} (a {@code queue.Queue}
   * in the manager's process): a {@link BlockingQueue} proxy. A {@code take()} or a
   * {@code poll(timeout, unit)} waits in the manager's process, holding one of this process's
   * connections, while other threads call on others. Interrupting a thread that waits there ends
   * its wait here at once, but not the server's: an item that arrives before the server's wait
   * ends is taken and lost; wait with a timeout where threads are interrupted.
   *
   * @param <E> the item type
   * @return a proxy of the queue
   * @throws IllegalStateException {@code "server not yet started"}
   */
  public <E> BlockingQueue<E> queue() {
    return queue(0);
  }

  /**
   * Creates a managed queue holding at most {@code maxsize} items, as {@link #queue()}.
   *
   * @param maxsize the most items; zero or less for no limit
   * @param <E> the item type
   * @return a proxy of the queue
   * @throws IllegalStateException {@code "server not yet started"}
   */
  @SuppressWarnings("unchecked") // a BlockingQueue proxy: its items are what the caller puts
  public <E> BlockingQueue<E> queue(int maxsize) {
    return get(QUEUE, BlockingQueue.class, maxsize);
  }

  /**
   * Creates a managed value, CPython's {@code manager.Value(typecode, value)} (the typecode,
   * which CPython's manager only stores, has no counterpart: the value is any serializable
   * object).
   *
   * @param initial the first value, sent as a copy; serializable; may be null
   * @param <T> the value's type
   * @return a proxy of the value
   * @throws IllegalStateException {@code "server not yet started"}
   */
  @SuppressWarnings("unchecked") // a ValueProxy: its value is what the caller sets
  public <T> ValueProxy<T> value(T initial) {
    return get(VALUE, ValueProxy.class, initial);
  }

  // synchronization types

  /** The type id of {@link #lock()}. */
  public static final String LOCK = "Lock";
  /** The type id of {@link #rLock()}. */
  public static final String RLOCK = "RLock";
  /** The type id of {@link #semaphore(int)}. */
  public static final String SEMAPHORE = "Semaphore";
  /** The type id of {@link #boundedSemaphore(int)}. */
  public static final String BOUNDED_SEMAPHORE = "BoundedSemaphore";
  /** The type id of {@link #condition()}. */
  public static final String CONDITION = "Condition";
  /** The type id of {@link #event()}. */
  public static final String EVENT = "Event";
  /** The type id of {@link #barrier(int)}. */
  public static final String BARRIER = "Barrier";

  private static BaseManager.Builder withSynchronizationTypes(BaseManager.Builder b) {
    return b.registerFirst(Registration.of(LOCK, AcquirerProxy.class, args -> new ManagedLock(false)))
        .registerFirst(Registration.of(RLOCK, AcquirerProxy.class, args -> new ManagedLock(true)))
        .registerFirst(Registration.of(SEMAPHORE, AcquirerProxy.class, args -> ManagedSemaphore.fromArgs(args, false)))
        .registerFirst(Registration.of(BOUNDED_SEMAPHORE, AcquirerProxy.class,
            args -> ManagedSemaphore.fromArgs(args, true)))
        .registerFirst(Registration.of(CONDITION, ConditionProxy.class, ManagedCondition::fromArgs))
        .registerFirst(Registration.of(EVENT, EventProxy.class, args -> new ManagedEvent()))
        .registerFirst(Registration.of(BARRIER, BarrierProxy.class, ManagedBarrier::fromArgs));
  }

  /**
   * Creates a managed lock, CPython's {@code manager.Lock()} (a {@code threading.Lock} in the
   * manager's process): not reentrant; any thread of any process may release it.
   *
   * @return a proxy of the lock
   * @throws IllegalStateException {@code "server not yet started"}
   */
  public AcquirerProxy lock() {
    return get(LOCK, AcquirerProxy.class);
  }

  /**
   * Creates a managed reentrant lock, CPython's {@code manager.RLock()}: owned by a thread of a
   * process, which may acquire it again, and which alone may release it.
   *
   * @return a proxy of the lock
   * @throws IllegalStateException {@code "server not yet started"}
   */
  public AcquirerProxy rLock() {
    return get(RLOCK, AcquirerProxy.class);
  }

  /**
   * Creates a managed semaphore with the value 1, CPython's {@code manager.Semaphore()}.
   *
   * @return a proxy of the semaphore
   * @throws IllegalStateException {@code "server not yet started"}
   */
  public AcquirerProxy semaphore() {
    return semaphore(1);
  }

  /**
   * Creates a managed semaphore, CPython's {@code manager.Semaphore(value)}: released without
   * bound.
   *
   * @param value the initial value
   * @return a proxy of the semaphore
   * @throws IllegalArgumentException {@code "semaphore initial value must be >= 0"}
   * @throws IllegalStateException {@code "server not yet started"}
   */
  public AcquirerProxy semaphore(int value) {
    return get(SEMAPHORE, AcquirerProxy.class, value);
  }

  /**
   * Creates a managed bounded semaphore with the value 1, CPython's
   * {@code manager.BoundedSemaphore()}.
   *
   * @return a proxy of the semaphore
   * @throws IllegalStateException {@code "server not yet started"}
   */
  public AcquirerProxy boundedSemaphore() {
    return boundedSemaphore(1);
  }

  /**
   * Creates a managed bounded semaphore, CPython's {@code manager.BoundedSemaphore(value)}: a
   * release above {@code value} fails with {@code "Semaphore released too many times"}.
   *
   * @param value the initial value, also the most
   * @return a proxy of the semaphore
   * @throws IllegalArgumentException {@code "semaphore initial value must be >= 0"}
   * @throws IllegalStateException {@code "server not yet started"}
   */
  public AcquirerProxy boundedSemaphore(int value) {
    return get(BOUNDED_SEMAPHORE, AcquirerProxy.class, value);
  }

  /**
   * Creates a managed condition with a new managed reentrant lock, CPython's
   * {@code manager.Condition()}.
   *
   * @return a proxy of the condition
   * @throws IllegalStateException {@code "server not yet started"}
   */
  public ConditionProxy condition() {
    return get(CONDITION, ConditionProxy.class);
  }

  /**
   * Creates a managed condition using a managed lock of this manager, CPython's
   * {@code manager.Condition(lock)}: the lock proxy's object itself, in the manager's process.
   *
   * @param lock a proxy from {@link #lock()} or {@link #rLock()} of this manager
   * @return a proxy of the condition
   * @throws IllegalArgumentException if {@code lock} is not such a proxy
   * @throws IllegalStateException {@code "server not yet started"}
   */
  public ConditionProxy condition(AcquirerProxy lock) {
    return get(CONDITION, ConditionProxy.class, java.util.Objects.requireNonNull(lock, "lock"));
  }

  /**
   * Creates a managed event, not set, CPython's {@code manager.Event()}.
   *
   * @return a proxy of the event
   * @throws IllegalStateException {@code "server not yet started"}
   */
  public EventProxy event() {
    return get(EVENT, EventProxy.class);
  }

  /**
   * Creates a managed barrier for {@code parties} parties, without action or default timeout,
   * CPython's {@code manager.Barrier(parties)}.
   *
   * @param parties how many parties must arrive, at least 1
   * @return a proxy of the barrier
   * @throws IllegalArgumentException if {@code parties} is less than 1 (CPython accepts it)
   * @throws IllegalStateException {@code "server not yet started"}
   */
  public BarrierProxy barrier(int parties) {
    return get(BARRIER, BarrierProxy.class, parties);
  }

  /**
   * Creates a managed barrier, CPython's {@code manager.Barrier(parties, action, timeout)}.
   *
   * @param parties how many parties must arrive, at least 1
   * @param action run once per round in the manager's process by the last party's call, before
   *     any is released; serializable (a {@code (Runnable & Serializable)} lambda, say), its class
   *     on the manager's class path; null for none
   * @param timeout the default timeout of {@link BarrierProxy#await()}; null for none
   * @return a proxy of the barrier
   * @throws IllegalArgumentException if {@code parties} is less than 1, or {@code action} cannot
   *     be serialized
   * @throws IllegalStateException {@code "server not yet started"}
   */
  public BarrierProxy barrier(int parties, Runnable action, Duration timeout) {
    return get(BARRIER, BarrierProxy.class, parties, action, timeout);
  }

  /**
   * Creates an empty managed namespace, CPython's {@code manager.Namespace()}.
   *
   * @return a proxy of the namespace
   * @throws IllegalStateException {@code "server not yet started"}
   */
  public Namespace namespace() {
    return get(NAMESPACE, Namespace.class);
  }
}
