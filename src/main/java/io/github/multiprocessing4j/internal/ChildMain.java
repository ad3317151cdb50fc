package io.github.multiprocessing4j.internal;

import java.io.FileDescriptor;
import java.io.FileInputStream;

/**
 * The main class of every child JVM: reads the {@link Bootstrap} frame from stdin and hands it to
 * the library's child runtime, which becomes the process and runs its target.
 *
 * <p>Not for direct use: started by {@code io.github.multiprocessing4j.Process#start()}.
 */
public final class ChildMain {

  /** The child runtime of the API package, which registers itself when its classes initialise. */
  public interface Entry {
    /**
     * Becomes the process described by the bootstrap, runs it and exits the JVM.
     *
     * @param bootstrap what the parent sent
     * @param stdin the rest of standard input, whose end means the parent is gone
     */
    void run(Bootstrap bootstrap, FileInputStream stdin);
  }

  private static volatile Entry entry;

  private ChildMain() {}

  /**
   * Registers the child runtime; called once by the API package.
   *
   * @param r the runtime
   */
  public static void register(Entry e) {
    entry = e;
  }

  /**
   * Entry point.
   *
   * @param args ignored: everything comes over stdin, so nothing secret is on the command line
   */
  public static void main(String[] args) {
    // The raw descriptor, not System.in: the user's code gets an empty System.in, as in CPython.
    FileInputStream stdin = new FileInputStream(FileDescriptor.in);
    Bootstrap bootstrap;
    try {
      bootstrap = Bootstrap.read(stdin);
    } catch (Exception e) {
      System.err.println("multiprocessing4j child: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      Class.forName("io.github.multiprocessing4j.Process", true, ChildMain.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("the library's API classes are missing from the child's class path", e);
    }
    entry.run(bootstrap, stdin);
  }
}
