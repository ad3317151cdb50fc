package io.github.multiprocessing4j.pool;

/**
 * A pool's state machine, as CPython's pool: {@link State#RUN RUN}, then {@link State#CLOSE
 * CLOSE} (no new work; the workers exit once the queued work is done) or at once
 * {@link State#TERMINATE TERMINATE}; and, across all three, broken: a pool whose worker died
 * (the executor) or whose own machinery failed, where every submission fails. It also counts the
 * open feeds, the producers of an {@code imap} accepted before {@code close()}, which keep a
 * closed pool's workers until they end. Apart from {@link WorkerPool} so that which transitions
 * exist, and which messages a broken pool gives, read in one place.
 *
 * <p>Not thread-safe: guarded by the pool's lock, so that the dispatch path takes no extra lock.
 */
final class PoolLifecycle {

  /** CPython's text for the futures of an executor that broke. */
  private static final String ABRUPT =
      "A process in the process pool was terminated abruptly while the future was running or pending.";

  /** Lifecycle, as CPython's pool states. */
  public enum State {
    /** Accepting work. */
    RUN,
    /** No new work; workers exit once the queued work is done. */
    CLOSE,
    /** Stopping at once; unfinished work is cancelled. */
    TERMINATE
  }

  private final boolean breakOnDeath;
  private State state = State.RUN;
  private BrokenProcessPoolException broken;
  /** Set by {@link #cancelFeeds()}: feeds may submit no more. */
  private boolean feedsCancelled;
  /** Open {@link #openFeed() feeds}. */
  private int feeds;

  /**
   * @param breakOnDeath whether a worker's death breaks the pool (the executor) instead of
   *     failing only its task (the pool)
   */
  PoolLifecycle(boolean breakOnDeath) {
    this.breakOnDeath = breakOnDeath;
  }

  State state() {
    return state;
  }

  /** What broke the pool, or null. */
  BrokenProcessPoolException broken() {
    return broken;
  }

  /**
   * Tells whether a submission is accepted.
   *
   * @param fed whether it comes from an open feed, which a closed pool still accepts
   * @throws BrokenProcessPoolException if the pool is broken
   */
  boolean accepts(boolean fed) {
    if (broken != null) {
      throw brokenForSubmit();
    }
    return state == State.RUN || fed && state == State.CLOSE && !feedsCancelled;
  }

  /**
   * Registers a feed, if the pool accepts work.
   *
   * @throws BrokenProcessPoolException if the pool is broken
   */
  boolean openFeed() {
    if (broken != null) {
      throw brokenForSubmit();
    }
    if (state != State.RUN) {
      return false;
    }
    feeds++;
    return true;
  }

  void closeFeed() {
    feeds--;
  }

  /** The open feeds may submit no more (CPython's {@code cancel_futures}). */
  void cancelFeeds() {
    feedsCancelled = true;
  }

  /** RUN to CLOSE; nothing in the other states. */
  void close() {
    if (state == State.RUN) {
      state = State.CLOSE;
    }
  }

  /** To TERMINATE; false if the pool already was. */
  boolean terminate() {
    if (state == State.TERMINATE) {
      return false;
    }
    state = State.TERMINATE;
    return true;
  }

  /**
   * Breaks the pool, unless it already is.
   *
   * @return what broke it: this, or what broke it first
   */
  BrokenProcessPoolException breakWith(BrokenProcessPoolException b) {
    if (broken == null) {
      broken = b;
    }
    return broken;
  }

  /** What a submission to a broken pool throws: CPython's message, with what broke it as cause. */
  private BrokenProcessPoolException brokenForSubmit() {
    return new BrokenProcessPoolException(breakOnDeath
        ? "A child process terminated abruptly, the process pool is not usable anymore"
        : broken.getMessage(), broken);
  }

  /**
   * Tells whether nothing can start a worker any more: no new work is accepted, no worker is left,
   * and no open feed of a closed pool may still submit (and start one).
   */
  boolean ended(boolean noWorkers) {
    return (state != State.RUN || broken != null) && noWorkers
        && (feeds == 0 || state == State.TERMINATE || broken != null);
  }

  /** Tells whether the idle workers may stop: the pool is closed and nothing more can come. */
  boolean idleMayStop(boolean nothingPending) {
    return state == State.CLOSE && nothingPending && feeds == 0;
  }

  /** Tells whether a worker's end may still change anything: the pool is neither terminated nor broken. */
  boolean running() {
    return state != State.TERMINATE && broken == null;
  }

  /** Tells whether a worker that ended is to be replaced. */
  boolean replaces(boolean onDemand, boolean nothingPending) {
    return broken == null && (state == State.RUN ? !onDemand || !nothingPending
        : state == State.CLOSE && (!nothingPending || feeds > 0));
  }

  /**
   * What a worker's end does to a {@link #running()} pool: breaks it if the worker never got
   * ready (its initializer failed, say), or, for the executor, if it died with tasks or
   * unexpectedly; else null, and only the task it was running fails.
   *
   * @param s the worker
   * @param exitCode its exit code, or null if unknown
   */
  BrokenProcessPoolException brokenBy(WorkerSlot s, Integer exitCode) {
    if (!s.ready || s.initFailure != null) {
      String why = s.initFailure != null ? "the initializer failed in worker " + s.where
          : "worker " + s.where + " exited with code " + exitCode + " before it was ready (see its standard error)";
      // The executor's futures get CPython's BrokenProcessPool text, which CPython gives for
      // any worker that ended, a failed initializer included; the pool's own text says more.
      return new BrokenProcessPoolException(breakOnDeath ? ABRUPT + " (" + why + ")"
          : why + "; the pool is not usable anymore",
          s.initFailure != null ? s.initFailure : s.process.failure().orElse(null));
    }
    if (breakOnDeath && (!s.inFlight.isEmpty() || !s.stopping && !s.retired(exitCode))) {
      return new BrokenProcessPoolException(ABRUPT + " (worker " + s.where + ", exit code " + exitCode + ")",
          null);
    }
    return null;
  }

  @Override
  public String toString() {
    return broken != null ? "BROKEN" : state.toString();
  }
}
