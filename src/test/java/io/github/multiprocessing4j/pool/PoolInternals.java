package io.github.multiprocessing4j.pool;

/**
 * What tests in other packages may see of this package's implementation, which is package-private:
 * one place, so a test elsewhere never reaches in by reflection.
 */
public final class PoolInternals {

  /** The offset of a result message's body. */
  public static final int RESULT_HEADER = PoolProtocol.RESULT_HEADER;

  /** The logger name of the class that runs a pool's callbacks. */
  public static final String CALLBACK_LOGGER = TaskResult.class.getName();

  private PoolInternals() {}

  /**
   * Encodes a task's failure as a worker sends it.
   *
   * @param error the failure
   * @return the encoded body
   */
  public static byte[] failure(Throwable error) {
    return PoolProtocol.failure(error);
  }

  /**
   * Decodes a failure as the pool reads it.
   *
   * @param m the message
   * @param offset where the body starts
   * @param where names the worker, for messages
   * @return the failure
   */
  public static Throwable readFailure(byte[] m, int offset, String where) {
    return PoolProtocol.readFailure(m, offset, where);
  }
}
