package io.github.multiprocessing4j.internal.runtime;

/**
 * Every {@code multiprocessing4j.*} system property, in one place: its name, its default and what
 * it changes. The guide's tuning page ({@code docs/performance-and-tuning.md}) lists the same
 * table, and {@code TunableTest} holds the two together; no other class names a property of ours
 * by its string.
 *
 * <p>Each property is read where it takes effect, most once per JVM when their class initialises.
 * The ones marked {@link #inherited()} are passed on to every child JVM when this JVM has them set,
 * so that both ends of a channel agree (limits, filters) and a program-wide choice holds in its
 * children. Thread-safe.
 */
public enum Tunable {

  /** The default start method of processes, pools and executors. */
  START_METHOD("startMethod", "spawn", "the default start method: spawn or forkserver", false),
  /** How many warm spare JVMs a parent keeps ready for its next children. */
  SPARES("spares", "1", "warm spare JVMs kept ready for the next child (0 turns warm start off)", false),
  /** How long an unused spare lives. */
  SPARE_IDLE_MILLIS("spareIdleMillis", "60000", "milliseconds an unused spare JVM waits before it exits", false),
  /** Set on a spare's command line, by the library; never by hand. */
  SPARE(Tunable.SPARE_KEY.substring("multiprocessing4j.".length()), "", "internal: marks a spare JVM's command line",
      false),
  /** Classes a spare initialises while it waits, set on a process's command line by the library. */
  SPARE_WARM_UP(Tunable.SPARE_WARM_UP_KEY.substring("multiprocessing4j.".length()), "none",
      "classes a forkserver spare initialises while it waits (comma-separated): what its process will load", false),
  /** Whether children use a class-data-sharing archive unless their builder says. */
  CLASS_DATA_SHARING("classDataSharing", "false",
      "true: children start with an application class-data-sharing archive unless their builder says otherwise", true),
  /** Whether children get this JVM's heap, -D, assertion and module options. */
  INHERIT_JVM_SETTINGS("inheritJvmSettings", "true",
      "false: children do not inherit this JVM's heap, -D, assertion and module options unless their builder says", true),
  /** Where archives and other caches go. */
  CACHE_DIR("cacheDir", "$XDG_CACHE_HOME/multiprocessing4j/cds",
      "where class-data-sharing archives are kept (~/.cache/multiprocessing4j on Linux)", false),
  /** The grace period of terminate-at-exit. */
  TERMINATE_GRACE("terminateGrace", "3000",
      "how long a child has between SIGTERM and SIGKILL when its parent ends it (milliseconds or ISO-8601)", true),
  /** The deserialization filter of channels. */
  SERIAL_FILTER("serialFilter", "none",
      "an ObjectInputFilter pattern applied to every message received (java.io.ObjectInputFilter syntax)", true),
  /** The longest message. */
  MAX_MESSAGE_BYTES("maxMessageBytes", "100000000",
      "the longest message, in bytes once encoded, and the longest array or collection in one", true),
  /** The deepest object graph of a message. */
  MAX_DEPTH("maxDepth", "1000", "the deepest object graph a message may hold", true),
  /** Nesting levels with shared references in a Java-serialized message. */
  MAX_SHARED_LEVELS("maxSharedLevels", "20",
      "the most nesting levels of a Java-serialized message at which objects read before are referenced again", true),
  /** Handshakes waiting at once. */
  MAX_PENDING_HANDSHAKES("maxPendingHandshakes", "128",
      "unauthenticated connections that may wait for their handshake at once; more are closed", false),
  /** A pipe's ring buffer. */
  RING_BYTES("ringBytes", "4194304", "the size of a pipe's shared-memory ring buffer, in bytes", false),
  /** A queue link's ring buffer. */
  QUEUE_RING_BYTES("queueRingBytes", "1048576", "the size of a queue link's ring buffer, in bytes", false),
  /** How much a ring transport copies at once. */
  CHUNK_BYTES("chunkBytes", "262144", "the most a ring transport copies in one step, in bytes", false),
  /** Whether a JVM's first pipe end or queue starts the socket classes' warm-up. */
  TRANSPORT_WARM_UP("transportWarmUp", "true",
      "false: the first pipe end or queue a JVM receives starts no thread that loads what its first operation needs",
      true),
  /** How long a waiter spins before it parks. */
  SPIN_NANOS("spinNanos", "50000", "how long a waiter spins before it parks, in nanoseconds", false),
  /** The least an adaptive waiter spins. */
  MIN_SPIN_NANOS("minSpinNanos", "2000", "the least an adaptive waiter spins, in nanoseconds (a benchmark knob)", false),
  /** How long a woken waiter spins again. */
  RESPIN_NANOS("respinNanos", "20000", "how long a woken waiter spins before it parks again, in nanoseconds", false),
  /** The longest gap between a lock's spin checks. */
  MAX_GAP_NANOS("maxGapNanos", "5000", "the longest pause between two checks of a spinning waiter, in nanoseconds", false),
  /** How long a parked waiter sleeps before it checks for a dead waker. */
  SYNC_SLICE_MILLIS("syncSliceMillis", "100",
      "how long a parked waiter sleeps before it checks again (a test knob)", false),
  /** How often segments are swept. */
  SEGMENT_GC_EVERY("segmentGcEvery", "1024",
      "segments created between two sweeps for segments of dead processes (a test knob)", false),
  /** How long after its bootstrap a child begins to watch for its parent's end. */
  PARENT_WATCH_DELAY_MILLIS(Tunable.PARENT_WATCH_DELAY_KEY.substring("multiprocessing4j.".length()), "100",
      "milliseconds after its bootstrap that a child begins to watch for its parent's end (a knob)", false);

  /**
   * {@link #SPARE}'s key as a compile-time constant: every child JVM's main checks it first, and a
   * constant costs it no class to load (this enum, or a class whose initialiser logs).
   */
  public static final String SPARE_KEY = "multiprocessing4j.spare";
  /**
   * {@link #SPARE_WARM_UP}'s key as a compile-time constant, read by a spare's warm-up without
   * loading this enum.
   */
  public static final String SPARE_WARM_UP_KEY = "multiprocessing4j.spareWarmUp";
  /**
   * {@link #PARENT_WATCH_DELAY_MILLIS}'s key as a compile-time constant, read by every child's
   * parent watcher without loading this enum.
   */
  public static final String PARENT_WATCH_DELAY_KEY = "multiprocessing4j.parentWatchDelayMillis";

  private final String key;
  private final String defaultValue;
  private final String meaning;
  private final boolean inherited;

  Tunable(String name, String defaultValue, String meaning, boolean inherited) {
    this.key = "multiprocessing4j." + name;
    this.defaultValue = defaultValue;
    this.meaning = meaning;
    this.inherited = inherited;
  }

  /**
   * The system property's name.
   *
   * @return e.g. {@code multiprocessing4j.spares}
   */
  public String key() {
    return key;
  }

  /**
   * The default, as the guide states it.
   *
   * @return a value or a description of it
   */
  public String defaultValue() {
    return defaultValue;
  }

  /**
   * What it changes, as the guide states it.
   *
   * @return one sentence
   */
  public String meaning() {
    return meaning;
  }

  /**
   * Whether a child JVM gets this JVM's value when this JVM has it set.
   *
   * @return true for program-wide settings both ends of a channel must share
   */
  public boolean inherited() {
    return inherited;
  }

  /**
   * The property's value in this JVM.
   *
   * @return the value, or {@code null} if unset
   */
  public String value() {
    return System.getProperty(key);
  }

  /**
   * The property as an int, leniently: a value that is not a number counts as unset, as
   * {@link Integer#getInteger(String, int)} reads it (these are tuning knobs, read at class
   * initialisation, where an exception would leave the class unusable).
   *
   * @param dflt the value when unset or not a number
   * @return the value
   */
  public int intValue(int dflt) {
    Integer v = Integer.getInteger(key);
    return v == null ? dflt : v;
  }

  /**
   * The property as a long, leniently, as {@link #intValue(int)}.
   *
   * @param dflt the value when unset or not a number
   * @return the value
   */
  public long longValue(long dflt) {
    Long v = Long.getLong(key);
    return v == null ? dflt : v;
  }

  /**
   * The property as a long within bounds.
   *
   * @param dflt the value when unset or blank
   * @param min the least allowed
   * @param max the most allowed
   * @return the value
   * @throws IllegalArgumentException naming the property if it is not a number or out of bounds
   */
  public long longValue(long dflt, long min, long max) {
    String s = value();
    if (s == null || s.isBlank()) {
      return dflt;
    }
    long v;
    try {
      v = Long.parseLong(s.strip().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid -D" + key + "=" + s + ": not a number", e);
    }
    if (v < min || v > max) {
      throw new IllegalArgumentException("invalid -D" + key + "=" + s + ": from " + min + " to " + max);
    }
    return v;
  }
}
