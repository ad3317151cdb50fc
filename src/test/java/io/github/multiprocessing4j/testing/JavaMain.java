package io.github.multiprocessing4j.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test fixture's {@code main} in a fresh JVM with the test class path, for tests where the
 * library must run in a <em>parent</em> JVM of its own (exit rules, parent death). Output is
 * captured; {@link #close()} kills the JVM and its descendants if it is still running.
 */
public final class JavaMain implements AutoCloseable {

  private final java.lang.Process process;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Thread outPump;
  private final Thread errPump;

  private JavaMain(java.lang.Process process) {
    this.process = process;
    this.outPump = pump(process.getInputStream(), out);
    this.errPump = pump(process.getErrorStream(), err);
  }

  /**
   * Starts {@code mainClass} with {@code args}.
   *
   * @param mainClass the fixture
   * @param args its arguments
   * @return the running JVM
   */
  public static JavaMain start(Class<?> mainClass, String... args) {
    return start(List.of(), mainClass, args);
  }

  /**
   * Starts {@code mainClass} with JVM options and {@code args}.
   *
   * @param jvmOptions options before the main class
   * @param mainClass the fixture
   * @param args its arguments
   * @return the running JVM
   */
  public static JavaMain start(List<String> jvmOptions, Class<?> mainClass, String... args) {
    return start(System.getProperty("java.class.path"), jvmOptions, mainClass.getName(), args);
  }

  /**
   * Starts a main class by name with an explicit class path, for tests about what the parent JVM's
   * class path looks like (a very long one, or one without the test classes).
   *
   * @param classPath the {@code -cp} of the JVM
   * @param jvmOptions options before the class path
   * @param mainClass the fully qualified name of the fixture
   * @param args its arguments
   * @return the running JVM
   */
  public static JavaMain start(String classPath, List<String> jvmOptions, String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaExecutable().toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(mainClass);
    cmd.addAll(Arrays.asList(args));
    try {
      return new JavaMain(new ProcessBuilder(cmd).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a JVM from a builder of the caller's (an environment of its own, a wrapper command such
   * as {@code setpriv}); its output is captured as for the others.
   *
   * @param builder the command
   * @return the running JVM
   */
  public static JavaMain start(ProcessBuilder builder) {
    try {
      return new JavaMain(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The java launcher of the running JVM. */
  public static Path javaExecutable() {
    return Paths.get(System.getProperty("java.home"), "bin", "java");
  }

  private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          synchronized (sink) {
            sink.write(buf, 0, n);
            sink.notifyAll();
          }
        }
      } catch (IOException e) {
        // process gone
      }
      synchronized (sink) {
        sink.notifyAll();
      }
    }, "JavaMain-pump");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** The JVM's process. */
  public java.lang.Process process() {
    return process;
  }

  /** The pid of the JVM. */
  public long pid() {
    return process.pid();
  }

  /**
   * Waits for the JVM to exit, then for its output.
   *
   * @param timeout the longest wait
   * @return the exit status
   * @throws AssertionError if it does not exit in time
   */
  public int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("JVM did not exit within " + timeout + "; stdout so far:\n" + stdout()
          + "\nstderr so far:\n" + stderr());
    }
    outPump.join(5_000);
    errPump.join(5_000);
    return process.exitValue();
  }

  /** Standard output so far. */
  public String stdout() {
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  /** Standard error so far. */
  public String stderr() {
    synchronized (err) {
      return err.toString(StandardCharsets.UTF_8);
    }
  }

  /**
   * Waits until standard output contains {@code text}, by polling the captured output.
   *
   * @param text the text
   * @param timeout the longest wait
   * @return the output at that point
   */
  public String awaitStdout(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (out) {
      while (!out.toString(StandardCharsets.UTF_8).contains(text)) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !outPump.isAlive()) {
          throw new AssertionError("stdout never contained '" + text + "' (waited " + timeout + ", JVM "
              + (process.isAlive() ? "running" : "exited") + "); stdout:\n" + out.toString(StandardCharsets.UTF_8)
              + "\nstderr:\n" + stderr());
        }
        out.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
