package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.pool.ResultIterator;
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
 * {@code multiprocessing.Manager()} is {@code new SyncManager()} then {@link #start()}, or
 * {@code Multiprocessing.getContext().manager()}. Its server
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
 * <p>Also {@link #joinableQueue()}, {@link #array(char, List)} and {@link #pool()}. Thread-safe,
 * as {@link BaseManager}.
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
  /** The type id of {@link #array(char, List)} and {@link #array(char, int)}. */
  public static final String ARRAY = "Array";
  /** The type id of {@link #joinableQueue()}. */
  public static final String JOINABLE_QUEUE = "JoinableQueue";
  /** The type id of {@link #pool()} and {@link #pool(int)}. */
  public static final String POOL = "Pool";
  /**
   * The type id of the pending results of a managed pool ({@link AsyncResultProxy}), registered
   * with {@code createMethod(false)}: {@link #get} cannot make one.
   */
  public static final String ASYNC_RESULT = "AsyncResult";

  /**
   * The type id of the iterators of a managed pool's {@code imap} and {@code imapUnordered} (a
   * {@link io.github.multiprocessing4j.pool.ResultIterator} proxy), CPython's {@code 'Iterator'},
   * registered with {@code createMethod(false)}: {@link #get} cannot make one.
   */
  public static final String ITERATOR = "Iterator";
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

  /**
   * The standard types, made once: {@link BaseManager#start()} knows them by identity and does not
   * send them to the server's process, which makes its own ({@link #standardTypes()}), so a new
   * manager's process need not deserialize their factories, the costliest part of its start.
   */
  private static final List<Registration> STANDARD = List.of(
      Registration.of(BARRIER, BarrierProxy.class, new Standard(BARRIER)),
      Registration.of(EVENT, EventProxy.class, new Standard(EVENT)),
      Registration.of(CONDITION, ConditionProxy.class, new Standard(CONDITION)),
      Registration.of(BOUNDED_SEMAPHORE, AcquirerProxy.class, new Standard(BOUNDED_SEMAPHORE)),
      Registration.of(SEMAPHORE, AcquirerProxy.class, new Standard(SEMAPHORE)),
      Registration.of(RLOCK, AcquirerProxy.class, new Standard(RLOCK)),
      Registration.of(LOCK, AcquirerProxy.class, new Standard(LOCK)),
      Registration.of(ASYNC_RESULT, AsyncResultProxy.class, new Standard(ASYNC_RESULT)).createMethod(false),
      Registration.of(POOL, PoolProxy.class, new Standard(POOL))
          .methodToTypeId("applyAsync", ASYNC_RESULT).methodToTypeId("mapAsync", ASYNC_RESULT)
          .methodToTypeId("starmapAsync", ASYNC_RESULT).methodToTypeId("imap", ITERATOR)
          .methodToTypeId("imapUnordered", ITERATOR),
      Registration.of(ITERATOR, ResultIterator.class, new Standard(ITERATOR)).createMethod(false),
      Registration.of(JOINABLE_QUEUE, JoinableQueueProxy.class, new Standard(JOINABLE_QUEUE)),
      Registration.of(ARRAY, ArrayProxy.class, new Standard(ARRAY)),
      Registration.of(VALUE, ValueProxy.class, new Standard(VALUE)),
      Registration.of(QUEUE, BlockingQueue.class, new Standard(QUEUE)),
      Registration.of(NAMESPACE, Namespace.class, new Standard(NAMESPACE)),
      Registration.of(LIST, List.class, new Standard(LIST)),
      Registration.of(DICT, Map.class, new Standard(DICT)));

  /**
   * The factory of a standard type. One class, not a lambda a type: each lambda is a class that a
   * new manager's process would spin up at its start, which is paid in full by every manager.
   */
  private static final class Standard implements ManagedFactory {
    private static final long serialVersionUID = 1L;
    private final String typeId;

    Standard(String typeId) {
      this.typeId = typeId;
    }

    @Override
    public Object create(Object[] args) {
      switch (typeId) {
        case BARRIER:
          return ManagedBarrier.fromArgs(args);
        case EVENT:
          return new ManagedEvent();
        case CONDITION:
          return ManagedCondition.fromArgs(args);
        case BOUNDED_SEMAPHORE:
          return ManagedSemaphore.fromArgs(args, true);
        case SEMAPHORE:
          return ManagedSemaphore.fromArgs(args, false);
        case RLOCK:
          return new ManagedLock(true);
        case LOCK:
          return new ManagedLock(false);
        case ASYNC_RESULT:
        case ITERATOR:
          throw new IllegalStateException("an " + typeId + " comes only from a managed pool's methods");
        case POOL:
          return newPool(args);
        case JOINABLE_QUEUE:
          return new JoinableQueueObject(args.length == 0 ? 0 : (Integer) args[0]);
        case ARRAY:
          return newArray(args);
        case VALUE:
          return new ValueObject(args[0]);
        case QUEUE:
          return newQueue(args);
        case NAMESPACE:
          return new NamespaceObject();
        case LIST:
          return newList(args);
        case DICT:
          return newDict(args);
        default:
          throw new IllegalStateException("not a standard type id: " + typeId);
      }
    }

    @Override
    public String toString() {
      return "SyncManager's factory of " + typeId;
    }
  }

  private static BaseManager.Builder withStandardTypes(BaseManager.Builder b) {
    // Prepended: a registration of the builder with the same type id replaces the standard one.
    for (Registration r : STANDARD) {
      b.registerFirst(r);
    }
    return b;
  }

  /** The types every SyncManager's server has, in the order they are registered. */
  static List<Registration> standardTypes() {
    return STANDARD;
  }

  @Override
  boolean hasStandardTypes() {
    return true;
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


  private static Object newArray(Object[] args) {
    char typecode = (Character) args[0];
    if (args[1] instanceof Integer) {
      return new ArrayObject(io.github.multiprocessing4j.shared.RawArray.create(typecode, (Integer) args[1]));
    }
    return new ArrayObject(io.github.multiprocessing4j.shared.RawArray.of(typecode, (List<?>) args[1]));
  }

  private static Object newPool(Object[] args) {
    return new PoolObject(args.length == 0 ? new io.github.multiprocessing4j.pool.Pool()
        : new io.github.multiprocessing4j.pool.Pool((Integer) args[0]));
  }

  /**
   * Creates a managed array holding {@code values}, CPython's {@code manager.Array(typecode,
   * sequence)}: fixed-length, its items of one typecode.
   *
   * @param typecode one of {@code b B h H i I l L q Q f d c u} (see
   *     {@link io.github.multiprocessing4j.shared.TypeCode})
   * @param values the items, as {@link io.github.multiprocessing4j.shared.RawArray#of(char, List)}
   *     takes them; sent as a copy
   * @return a proxy of the array
   * @throws IllegalStateException {@code "server not yet started"}
   * @throws IllegalArgumentException for an unknown typecode or a value of the wrong kind (thrown
   *     in the manager's process, with its message)
   */
  public ArrayProxy array(char typecode, List<?> values) {
    return get(ARRAY, ArrayProxy.class, typecode, new ArrayList<>(values));
  }

  /**
   * Creates a managed array of {@code length} zeros of a typecode, as {@link #array(char, List)}.
   *
   * @param typecode one of {@code b B h H i I l L q Q f d c u}
   * @param length the number of items, not negative
   * @return a proxy of the array
   * @throws IllegalStateException {@code "server not yet started"}
   * @throws IllegalArgumentException for an unknown typecode or a negative length
   */
  public ArrayProxy array(char typecode, int length) {
    return get(ARRAY, ArrayProxy.class, typecode, length);
  }

  /**
   * Creates an unbounded managed joinable queue, CPython's {@code manager.JoinableQueue()}: a
   * {@link BlockingQueue} proxy with {@code taskDone()} and {@code join()}.
   *
   * @param <E> the item type
   * @return a proxy of the queue
   * @throws IllegalStateException {@code "server not yet started"}
   */
  public <E> JoinableQueueProxy<E> joinableQueue() {
    return joinableQueue(0);
  }

  /**
   * Creates a managed joinable queue holding at most {@code maxsize} items, as
   * {@link #joinableQueue()}.
   *
   * @param maxsize the most items; zero or less for no limit
   * @param <E> the item type
   * @return a proxy of the queue
   * @throws IllegalStateException {@code "server not yet started"}
   */
  @SuppressWarnings("unchecked") // a JoinableQueueProxy: its items are what the caller puts
  public <E> JoinableQueueProxy<E> joinableQueue(int maxsize) {
    return get(JOINABLE_QUEUE, JoinableQueueProxy.class, maxsize);
  }

  /**
   * Creates a managed pool with one worker per CPU of the manager's machine, CPython's
   * {@code manager.Pool()}: the pool and its workers are in the manager's process.
   *
   * @return a proxy of the pool
   * @throws IllegalStateException {@code "server not yet started"}
   * @throws io.github.multiprocessing4j.MultiprocessingException if a worker cannot be started
   *     (thrown in the manager's process)
   */
  public PoolProxy pool() {
    return get(POOL, PoolProxy.class);
  }

  /**
   * Creates a managed pool of {@code processes} workers, as {@link #pool()}.
   *
   * @param processes the number of workers, at least 1
   * @return a proxy of the pool
   * @throws IllegalStateException {@code "server not yet started"}
   * @throws IllegalArgumentException {@code "Number of processes must be at least 1"}
   */
  public PoolProxy pool(int processes) {
    return get(POOL, PoolProxy.class, processes);
  }
}
