package io.github.multiprocessing4j.internal.transport;

import io.github.multiprocessing4j.connection.ConnectionException;
import io.github.multiprocessing4j.internal.shm.MappedRegion;

/**
 * One ring of a {@link RingTransport}: a byte stream with one producer and one consumer in shared
 * memory, each message a 4-byte big-endian length and its bytes. Only the ring itself lives here
 * (positions, wrap-around, room, copying in and out, the flags each side leaves for the other) and
 * nothing waits: a call copies what fits or what is there and says how much, so the ring can be tested
 * without processes, files or sockets. Waiting, waking and the message loop are {@link RingTransport}'s.
 *
 * <p>Layout, from {@code base}: a header of {@link #HEADER} bytes, then {@code capacity} bytes of
 * data. The positions only grow (a long does not wrap in any pipe's life); a position's byte is at
 * {@code position & (capacity - 1)}. Each side's position has its own cache line, so the producer
 * and the consumer do not invalidate each other's line on every write.
 *
 * <p>Not thread-safe on either side: one producer thread and one consumer thread at a time (the
 * transport's locks see to it); the two sides may run at once, in different processes.
 */
final class Ring {

  /** Bytes of a ring's header. */
  static final int HEADER = 256;
  /** Bytes of a message's length prefix. */
  static final int LENGTH_BYTES = 4;
  /** The smallest capacity: a page. */
  static final int MIN_CAPACITY = 4096;
  /** The largest capacity, so that two rings and their headers are one mapping. */
  static final int MAX_CAPACITY = 1 << 30;

  private static final int WRITE_POS = 0;
  private static final int READ_POS = 64;
  private static final int CONSUMER_WAITING = 128;
  private static final int PRODUCER_WAITING = 136;
  private static final int PRODUCER_CLOSED = 192;
  private static final int CONSUMER_CLOSED = 200;

  private final MappedRegion region;
  private final int base;
  private final int data;
  private final int capacity;
  private final int mask;
  private final int chunk;

  /**
   * A ring in a region.
   *
   * @param region the memory both sides map
   * @param base the offset of the ring's header
   * @param capacity bytes of data, a power of two
   * @param chunk most bytes one {@link #write} or {@link #read} copies, so that a large message is
   *     published (and released) piece by piece and both sides copy at once
   */
  Ring(MappedRegion region, int base, int capacity, int chunk) {
    if (Integer.bitCount(capacity) != 1 || base < 0 || (long) base + HEADER + capacity > region.size()) {
      throw new IllegalArgumentException("no ring of " + capacity + " bytes at " + base + " in " + region);
    }
    this.region = region;
    this.base = base;
    this.data = base + HEADER;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.chunk = chunk;
  }

  /** Bytes of a file holding two rings of {@code capacity} bytes, one per direction. */
  static long pairBytes(int capacity) {
    return 2L * (HEADER + capacity);
  }

  /** The capacity of each ring of a pair that fills {@code bytes}; not checked. */
  static long pairCapacity(long bytes) {
    return bytes / 2 - HEADER;
  }

  /** Bytes of data the ring holds. */
  int capacity() {
    return capacity;
  }

  // ---- the producer's side

  /** Where the producer's next byte goes: its own position, so no fence is needed to read it. */
  long writePosition() {
    return region.getLongOpaque(base + WRITE_POS);
  }

  /** Whether the consumer has left room for a byte at {@code wp}. */
  boolean hasRoom(long wp) {
    return wp - region.getLongVolatile(base + READ_POS) < capacity;
  }

  /**
   * Copies as much of {@code b[off, off + len)} as there is room for at {@code wp}, at most a chunk,
   * wrapping at the end of the ring; publishes nothing.
   *
   * @return the bytes copied: 0 if the ring is full
   */
  int write(byte[] b, int off, int len, long wp) {
    int free = (int) (capacity - (wp - region.getLongVolatile(base + READ_POS)));
    if (free == 0) {
      return 0;
    }
    int n = Math.min(Math.min(free, len), chunk);
    int at = (int) (wp & mask);
    int first = Math.min(n, capacity - at);
    region.put(data + at, b, off, first);
    if (first < n) {
      region.put(data, b, off + first, n - first);
    }
    return n;
  }

  /**
   * Makes the bytes before {@code wp} visible to the consumer.
   *
   * @return true if the consumer was parked: the caller must wake it (this call took its flag down)
   */
  boolean publish(long wp) {
    return advance(WRITE_POS, wp, CONSUMER_WAITING);
  }

  /** Announces that the producer is about to park for room: the consumer's next release wakes it. */
  void producerParks() {
    region.setIntVolatile(base + PRODUCER_WAITING, 1);
  }

  /** Takes the producer's flag down: it found room after all, so no wake-up is needed. */
  void producerUnparks() {
    region.compareAndSetInt(base + PRODUCER_WAITING, 1, 0);
  }

  /** Whether the consumer closed its end: nothing written any more will be read. */
  boolean consumerClosed() {
    return region.getIntVolatile(base + CONSUMER_CLOSED) != 0;
  }

  /** Marks the producer's end closed: the stream ends after what was published. */
  void closeProducer() {
    region.setIntVolatile(base + PRODUCER_CLOSED, 1);
  }

  // ---- the consumer's side

  /** Where the consumer's next byte comes from: its own position, so no fence is needed to read it. */
  long readPosition() {
    return region.getLongOpaque(base + READ_POS);
  }

  /** The consumer's position, read with volatile semantics by a thread that is not the consumer. */
  long readPositionVolatile() {
    return region.getLongVolatile(base + READ_POS);
  }

  /** Bytes published from {@code rp} on. */
  long available(long rp) {
    return region.getLongVolatile(base + WRITE_POS) - rp;
  }

  /**
   * The length prefix of the message at {@code rp}; at least {@link #LENGTH_BYTES} must be available.
   *
   * @throws ConnectionException if it is negative: the ring is corrupt
   */
  int length(long rp) {
    int len = 0;
    for (int i = 0; i < LENGTH_BYTES; i++) {
      len = (len << 8) | (region.get(data + (int) ((rp + i) & mask)) & 0xff);
    }
    if (len < 0) {
      throw new ConnectionException("bad message length: a negative length prefix in the ring; it is corrupt");
    }
    return len;
  }

  /**
   * Copies as much as is published at {@code rp}, up to {@code len} bytes and a chunk, into
   * {@code dst[off...]}, wrapping at the end of the ring; releases nothing.
   *
   * @return the bytes copied: 0 if the ring is empty
   */
  int read(byte[] dst, int off, int len, long rp) {
    int n = (int) Math.min(Math.min(available(rp), len), chunk);
    if (n == 0) {
      return 0;
    }
    int at = (int) (rp & mask);
    int first = Math.min(n, capacity - at);
    region.get(data + at, dst, off, first);
    if (first < n) {
      region.get(data, dst, off + first, n - first);
    }
    return n;
  }

  /**
   * Gives the bytes before {@code rp} back to the producer.
   *
   * @return true if the producer was parked: the caller must wake it (this call took its flag down)
   */
  boolean release(long rp) {
    return advance(READ_POS, rp, PRODUCER_WAITING);
  }

  /** Announces that the consumer is about to park for data: the producer's next publish wakes it. */
  void consumerParks() {
    region.setIntVolatile(base + CONSUMER_WAITING, 1);
  }

  /** Takes the consumer's flag down: data came after all, so no wake-up is needed. */
  void consumerUnparks() {
    region.compareAndSetInt(base + CONSUMER_WAITING, 1, 0);
  }

  /** Whether the producer closed its end: after what is published, no more comes. */
  boolean producerClosed() {
    return region.getIntVolatile(base + PRODUCER_CLOSED) != 0;
  }

  /** Marks the consumer's end closed: the producer's sends fail from now on. */
  void closeConsumer() {
    region.setIntVolatile(base + CONSUMER_CLOSED, 1);
  }

  /**
   * Moves one side's position on, then takes the other side's parked flag down if it was up. Both
   * sides write their own field before reading the other's, with volatile accesses, so of a parking
   * side and an advancing one at least one sees the other: no wake-up is lost.
   */
  private boolean advance(int position, long to, int otherParked) {
    region.setLongVolatile(base + position, to);
    return region.getIntVolatile(base + otherParked) != 0 && region.compareAndSetInt(base + otherParked, 1, 0);
  }
}
