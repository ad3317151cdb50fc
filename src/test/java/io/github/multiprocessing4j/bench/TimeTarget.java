package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Target;

/** The library's time-to-target target: prints {@link WallClock#micros()} as its first action. */
public final class TimeTarget implements Target {

  @Override
  public void run(Args args) {
    long t = WallClock.micros();
    System.out.println(t);
  }
}
