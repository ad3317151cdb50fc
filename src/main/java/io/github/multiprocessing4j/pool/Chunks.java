package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.codec.ObjectCodec;

import java.util.ArrayList;
import java.util.List;

/** Encodes a chunk of map items, naming the first item that cannot be sent. */
final class Chunks {

  private Chunks() {}

  /**
   * Encodes {@code items[from, to)} as one list.
   *
   * @param firstIndex the input position of {@code items[from]}, to name a culprit
   */
  static byte[] encode(List<?> items, int from, int to, int firstIndex, String what) {
    ArrayList<Object> chunk = new ArrayList<>(items.subList(from, to));
    try {
      return ObjectCodec.encode(chunk);
    } catch (IllegalArgumentException e) {
      for (int i = from; i < to; i++) {
        try {
          ObjectCodec.encode(items.get(i));
        } catch (IllegalArgumentException culprit) {
          throw new IllegalArgumentException("item " + (firstIndex + i - from) + " given to " + what
              + " cannot be sent to a worker process: " + culprit.getMessage(), culprit);
        }
      }
      throw new IllegalArgumentException("the items given to " + what
          + " cannot be sent to a worker process: " + e.getMessage(), e);
    } catch (RuntimeException | StackOverflowError e) {
      // A writeObject that throws, or a graph too deep to walk: still this chunk's items that
      // cannot be sent, which the caller reports as such rather than dying of it.
      throw new IllegalArgumentException("items " + firstIndex + " to " + (firstIndex + to - from - 1) + " given to "
          + what + " cannot be sent to a worker process: " + e, e);
    }
  }
}
