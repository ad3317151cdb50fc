package io.github.multiprocessing4j.managers;

import io.github.multiprocessing4j.shared.RawArray;
import io.github.multiprocessing4j.shared.TypeCode;
import java.util.ArrayList;
import java.util.List;

/**
 * The object behind an {@link ArrayProxy}, in the manager's process: a {@link RawArray}, for its
 * typecodes and conversions. Its memory is this process's alone (it is never sent), and is given
 * up once the array is dropped and collected. Synchronized, so that a slice is read or written as
 * a whole among the proxies' calls.
 */
final class ArrayObject implements ArrayProxy {

  private final RawArray items;

  ArrayObject(RawArray items) {
    this.items = items;
  }

  @Override
  public int length() {
    return items.length();
  }

  @Override
  public TypeCode typeCode() {
    return items.typeCode();
  }

  @Override
  public synchronized Object get(int index) {
    return items.get(index);
  }

  @Override
  public synchronized int getInt(int index) {
    return items.getInt(index);
  }

  @Override
  public synchronized long getLong(int index) {
    return items.getLong(index);
  }

  @Override
  public synchronized double getDouble(int index) {
    return items.getDouble(index);
  }

  @Override
  public synchronized void set(int index, Object value) {
    items.set(index, value);
  }

  @Override
  public synchronized void set(int index, long value) {
    items.set(index, value);
  }

  @Override
  public synchronized void set(int index, double value) {
    items.set(index, value);
  }

  @Override
  public synchronized List<Object> slice(int start, int stop) {
    return new ArrayList<>(items.slice(start, stop));
  }

  @Override
  public synchronized List<Object> toList() {
    return new ArrayList<>(items.toList());
  }

  @Override
  public synchronized void setSlice(int start, int stop, List<?> values) {
    items.setSlice(start, stop, values);
  }

  /** CPython's {@code str} of the array: {@code array('i', [1, 2, 3])}. */
  @Override
  public synchronized String toString() {
    return "array('" + items.typeCode().code() + "', " + items.toList() + ")";
  }
}
