package io.github.multiprocessing4j.cluster;

import io.github.multiprocessing4j.pool.SerializableCallable;
import io.github.multiprocessing4j.testing.NoLeakedProcesses;
import io.github.multiprocessing4j.testing.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A task that runs for ten minutes once it has written its worker JVM's pid to a file, for tests
 * that stop it early and check that its worker is gone.
 */
final class LongTask {

  private LongTask() {}

  /** The task; its worker writes its pid to {@code pidFile} (whole, by a rename) first. */
  static SerializableCallable<Integer> writingPidTo(Path pidFile) {
    String file = pidFile.toString();
    return () -> {
      Path tmp = Path.of(file + ".tmp");
      Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()));
      Files.move(tmp, Path.of(file), StandardCopyOption.ATOMIC_MOVE);
      Thread.sleep(600_000);
      return 0;
    };
  }

  /** Waits for the task to have started and returns its worker's pid. */
  static long awaitPid(Path pidFile) {
    Waits.until(() -> Files.exists(pidFile), "the long task started on a worker", Waits.UNTIL_KILLED);
    try {
      return Long.parseLong(Files.readString(pidFile));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the process is gone. */
  static void awaitGone(long pid, String what) {
    Waits.until(() -> ProcessHandle.of(pid).map(p -> !NoLeakedProcesses.reallyAlive(p)).orElse(true),
        what + " (pid " + pid + ") gone", Waits.LONG);
  }
}
