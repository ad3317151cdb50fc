package io.github.multiprocessing4j.queues;

import io.github.multiprocessing4j.internal.runtime.Limits;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The messages between a queue's client ({@link QueueClient}) and its owner ({@link QueueServer}),
 * over one shared-memory link per client process and queue. Each message is one byte array whose
 * first byte says what it is; numbers are big-endian.
 *
 * <pre>
 * client to owner
 *   hello      queueId:long                 once, first: which queue the link is for
 *   PUT        item                         to an unbounded queue: no reply
 *   PUT_WAIT   id:long timeout:long item
 *   GET        id:long timeout:long
 *   JOIN       id:long timeout:long
 *   CANCEL     id:long                      withdraws the waiting request id
 *   FENCE      id:long                      answered at once, after every earlier message
 *   QSIZE, FULL, TASK_DONE  id:long
 * owner to client
 *   R_OK, R_REFUSED, R_CANCELLED  id:long
 *   R_ITEM     id:long item
 *   R_VALUE    id:long value:long           the answer to QSIZE or FULL
 *   R_ERROR    id:long message              UTF-8; the answer to a hello or a TASK_DONE
 * </pre>
 *
 * <p>A timeout is in nanoseconds: 0 does not wait, negative ({@link #FOREVER} on the wire) waits
 * for ever. A waiting request carries it to the owner, which answers when it expires, so an item is
 * never handed to a client that stopped waiting for it. The bytes are laid out here only, so that
 * client, owner and the fuzz test cannot disagree on an offset.
 */
final class QueueProtocol {

  static final byte PUT = 1;
  static final byte PUT_WAIT = 2;
  static final byte GET = 3;
  static final byte CANCEL = 4;
  static final byte QSIZE = 5;
  static final byte FULL = 6;
  static final byte TASK_DONE = 7;
  static final byte JOIN = 8;
  /** Answered at once: the answer proves every earlier message of the link was carried out. */
  static final byte FENCE = 9;
  static final byte R_OK = 101;
  static final byte R_REFUSED = 102;
  static final byte R_ITEM = 103;
  static final byte R_VALUE = 104;
  static final byte R_ERROR = 105;
  static final byte R_CANCELLED = 106;

  /** Offset of the request or reply id. */
  static final int ID_AT = 1;
  /** Offset of a waiting request's timeout. */
  static final int TIMEOUT_AT = ID_AT + 8;
  /** Offset of the item in a PUT: it has no id, as it has no reply. */
  static final int PUT_HEADER = 1;
  /** Length of a request that carries an id only (and offset of a reply's payload). */
  static final int ID_HEADER = ID_AT + 8;
  /** Length of the header of a waiting request: op, id, timeout; the offset of a PUT_WAIT's item. */
  static final int TIMED_HEADER = TIMEOUT_AT + 8;
  /** Length of a reply's header: op, id; the offset of its payload. */
  static final int REPLY_HEADER = ID_HEADER;
  /** Length of an R_VALUE reply. */
  static final int VALUE_REPLY = REPLY_HEADER + 8;
  /** Length of the hello: the queue's id. */
  static final int HELLO = 8;
  /** The most bytes the owner reads for a hello (more is a broken client). */
  static final int HELLO_LIMIT = 64;

  /** The timeout of a waiting request that waits for ever, as sent. */
  static final long FOREVER = -1;
  /** Given to {@link #request} for an op that carries no timeout. */
  static final long UNTIMED = -2;

  private QueueProtocol() {}

  /** The most bytes of a request the owner reads: an item, as put checked, and its header. */
  static int maxRequest() {
    return (int) Math.min(Integer.MAX_VALUE, Limits.maxMessageBytes() + (long) TIMED_HEADER);
  }

  /** The most bytes of a reply the client reads: a length the owner never sends must not be allocated. */
  static int maxReply() {
    return (int) Math.min(Integer.MAX_VALUE, Limits.maxMessageBytes() + (long) REPLY_HEADER);
  }

  static byte[] hello(long queueId) {
    return ByteBuffer.allocate(HELLO).putLong(0, queueId).array();
  }

  static long queueId(byte[] hello) {
    return ByteBuffer.wrap(hello).getLong();
  }

  static byte[] put(byte[] item) {
    byte[] m = new byte[PUT_HEADER + item.length];
    m[0] = PUT;
    System.arraycopy(item, 0, m, PUT_HEADER, item.length);
    return m;
  }

  /** A request with an id only, as FENCE and CANCEL. */
  static byte[] request(byte op, long id) {
    return ByteBuffer.allocate(ID_HEADER).put(op).putLong(id).array();
  }

  /**
   * A request with an id, a timeout unless it is {@link #UNTIMED} (any negative one is sent as
   * {@link #FOREVER}), and an item if not null.
   */
  static byte[] request(byte op, long id, long timeoutNanos, byte[] item) {
    int n = item == null ? 0 : item.length;
    byte[] m = new byte[(timeoutNanos == UNTIMED ? ID_HEADER : TIMED_HEADER) + n];
    ByteBuffer b = ByteBuffer.wrap(m);
    b.put(op).putLong(id);
    if (timeoutNanos != UNTIMED) {
      b.putLong(timeoutNanos < 0 ? FOREVER : timeoutNanos);
    }
    if (n > 0) {
      b.put(item);
    }
    return m;
  }

  static byte[] reply(byte op, long id, byte[] payload) {
    int n = payload == null ? 0 : payload.length;
    byte[] r = new byte[REPLY_HEADER + n];
    r[0] = op;
    ByteBuffer.wrap(r).putLong(ID_AT, id);
    if (n > 0) {
      System.arraycopy(payload, 0, r, REPLY_HEADER, n);
    }
    return r;
  }

  /** The payload of an R_VALUE reply. */
  static byte[] valuePayload(long v) {
    return ByteBuffer.allocate(8).putLong(0, v).array();
  }

  /** The id of a request other than PUT, or of a reply; throws if the message is too short. */
  static long id(byte[] m) {
    return ByteBuffer.wrap(m).getLong(ID_AT);
  }

  /** The timeout of a waiting request; throws if the message is too short. */
  static long timeout(byte[] m) {
    return ByteBuffer.wrap(m).getLong(TIMEOUT_AT);
  }

  /** The item of a PUT. */
  static byte[] putItem(byte[] m) {
    return Arrays.copyOfRange(m, PUT_HEADER, m.length);
  }

  /** The item of a PUT_WAIT. */
  static byte[] putWaitItem(byte[] m) {
    return Arrays.copyOfRange(m, TIMED_HEADER, m.length);
  }

  /** The payload of a reply: the item of an R_ITEM. */
  static byte[] payload(byte[] r) {
    return Arrays.copyOfRange(r, REPLY_HEADER, r.length);
  }

  /** The message of an R_ERROR. */
  static String errorText(byte[] r) {
    return new String(r, REPLY_HEADER, r.length - REPLY_HEADER, StandardCharsets.UTF_8);
  }

  /** The payload of an R_ERROR. */
  static byte[] errorPayload(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The number of an R_VALUE reply (its length checked by the caller). */
  static long value(byte[] r) {
    return ByteBuffer.wrap(r).getLong(REPLY_HEADER);
  }
}
