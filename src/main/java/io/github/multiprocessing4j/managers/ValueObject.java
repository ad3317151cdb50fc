package io.github.multiprocessing4j.managers;

/** The object behind a {@link ValueProxy}, in the manager's process. */
final class ValueObject implements ValueProxy<Object> {

  private Object value;

  ValueObject(Object value) {
    this.value = value;
  }

  @Override
  public synchronized Object get() {
    return value;
  }

  @Override
  public synchronized void set(Object value) {
    this.value = value;
  }

  @Override
  public synchronized String toString() {
    return "Value(" + value + ")";
  }
}
