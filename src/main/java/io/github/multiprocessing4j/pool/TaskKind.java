package io.github.multiprocessing4j.pool;

/**
 * What a task asks of its function: call it, run it, or apply it to each item (or argument list)
 * of a chunk. An enum rather than the kind byte itself, so that the facades, the tasks and the
 * worker name the same set and a switch over it is checked; the byte each kind travels as is the
 * wire format's, defined in {@link PoolProtocol}.
 */
enum TaskKind {
  /** A {@link java.util.concurrent.Callable}: its return value is the result. */
  CALL(PoolProtocol.CALL),
  /** A {@link Runnable}: the result is null. */
  RUN(PoolProtocol.RUN),
  /** A chunk of {@code map} items: the result is the list of the function's values. */
  MAP(PoolProtocol.MAP),
  /** A chunk of {@code starmap} argument lists, each applied as {@code Args}. */
  STARMAP(PoolProtocol.STARMAP);

  /** By wire byte; an array so that a worker's lookup per task costs no allocation. */
  private static final TaskKind[] BY_CODE = new TaskKind[PoolProtocol.STARMAP + 1];

  static {
    for (TaskKind k : values()) {
      BY_CODE[k.code] = k;
    }
  }

  /** The byte this kind travels as in a TASK message. */
  final byte code;

  TaskKind(byte code) {
    this.code = code;
  }

  /**
   * The kind a TASK message's byte names.
   *
   * @param code the byte
   * @return the kind, or null if no kind has that byte
   */
  static TaskKind of(byte code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
