package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.queues.Queue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Makes {@code src/main/resources/.../child-classes.txt} ({@link ChildClassList}): runs a trivial
 * child, a pool worker's first tasks, and children whose first operation is a queue's put or a
 * pipe end's send, each with {@code -XX:DumpLoadedClassList}, and keeps the classes beyond this
 * JDK's default list that come from the JDK's modules or from the library's main classes, and the
 * library's method-reference lambdas (not {@code lambda$} bodies, whose names change with any
 * edit). Not a test: run it from the project's root after a change to a child's start path, with
 * {@code java -cp target/classes:target/test-classes:<test class path> } this class.
 */
public final class ChildClassListGenerator {

  private static final String LIBRARY = "io/github/multiprocessing4j/";

  private ChildClassListGenerator() {}

  /** A trivial child's target. */
  static void noop(Args a) {
    // nothing: the start and exit paths are what is listed
  }

  @SuppressWarnings("unchecked")
  static void put(Args a) throws InterruptedException {
    ((Queue<Object>) a.get(0)).put(1);
  }

  static void send(Args a) throws InterruptedException {
    a.get(0, Connection.class).send(1);
  }

  /**
   * Writes the list.
   *
   * @param args optionally the output file (default: the resource in {@code src/main/resources})
   * @throws Exception if a child fails
   */
  public static void main(String[] args) throws Exception {
    Path out = args.length > 0 ? Paths.get(args[0]) : Paths.get("src/main/resources/io/github/multiprocessing4j/"
        + "internal/launch/" + ChildClassList.RESOURCE);
    Path dir = Files.createTempDirectory("mp4j-classlist");
    List<Path> lists = new ArrayList<>();
    try {
      Duration t = Duration.ofSeconds(60);
      Path l1 = dir.resolve("child.list");
      lists.add(l1);
      Process p = Process.builder().target(ChildClassListGenerator::noop).jvmOptions(dump(l1)).build();
      p.start();
      p.join(t);

      Path l2 = dir.resolve("worker.list");
      lists.add(l2);
      Pool pool = Pool.builder().processes(1).workerOptions(w -> w.jvmOptions(dump(l2))).build();
      try {
        pool.apply(() -> 1);
        pool.map((Integer x) -> x + 1, List.of(1, 2, 3));
      } finally {
        pool.close(); // the worker ends at its input's end, so that its list is whole
        pool.join();
      }

      Path l3 = dir.resolve("put.list");
      lists.add(l3);
      Queue<Object> q = new Queue<>();
      Process putter = Process.builder().target(ChildClassListGenerator::put).args(q).jvmOptions(dump(l3)).build();
      putter.start();
      q.get(t);
      putter.join(t);

      Path l4 = dir.resolve("send.list");
      lists.add(l4);
      Pipe pipe = Pipe.open();
      Process sender = Process.builder().target(ChildClassListGenerator::send).args(pipe.conn2())
          .jvmOptions(dump(l4)).build();
      sender.start();
      pipe.conn2().close();
      pipe.conn1().recv();
      sender.join(t);
      pipe.conn1().close();

      List<String> lines = select(lists);
      List<String> text = new ArrayList<>();
      text.add("# The classes the library's children load beyond the JDK's default class list: made by");
      text.add("# ChildClassListGenerator (src/test) on " + System.getProperty("java.vm.name") + " "
          + System.getProperty("java.vm.version") + "; do not edit by hand.");
      text.addAll(lines);
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.write(out, text, StandardCharsets.UTF_8);
      System.out.println(lines.size() + " lines written to " + out);
    } finally {
      for (Path l : lists) {
        Files.deleteIfExists(l);
      }
      Files.deleteIfExists(dir);
    }
  }

  private static String dump(Path list) {
    return "-XX:DumpLoadedClassList=" + list;
  }

  /** The classes and lambdas to list, sorted: classes first. */
  static List<String> select(List<Path> lists) throws IOException {
    Set<String> jdkDefault = new HashSet<>(Files.readAllLines(Paths.get(System.getProperty("java.home"), "lib",
        "classlist"), StandardCharsets.UTF_8));
    CodeSource library = ChildClassList.class.getProtectionDomain().getCodeSource();
    Set<String> classes = new TreeSet<>();
    Set<String> lambdas = new TreeSet<>();
    for (Path l : lists) {
      if (!Files.exists(l)) {
        throw new IOException(l + " was not written: did the child run?");
      }
      try (Stream<String> s = Files.lines(l, StandardCharsets.UTF_8)) {
        for (String line : s.collect(Collectors.toList())) {
          if (line.matches("[A-Za-z0-9_/$]+") && !jdkDefault.contains(line) && (isJdk(line)
              || isLibrary(line, library))) {
            classes.add(line);
          } else if (line.startsWith("@lambda-proxy ")) {
            String[] f = line.split(" ");
            if (f.length == 10 && isLibrary(f[1], library) && isLibrary(f[6], library) && !f[7].startsWith("lambda$")) {
              lambdas.add(line);
            }
          }
        }
      }
    }
    List<String> all = new ArrayList<>(classes);
    all.addAll(lambdas);
    return all;
  }

  private static boolean isJdk(String name) {
    try {
      Class<?> c = Class.forName(name.replace('/', '.'), false, ClassLoader.getPlatformClassLoader());
      return c.getModule().isNamed() && c.getModule().getLayer() == ModuleLayer.boot();
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static boolean isLibrary(String name, CodeSource library) {
    if (!name.startsWith(LIBRARY)) {
      return false;
    }
    try {
      Class<?> c = Class.forName(name.replace('/', '.'), false, ChildClassList.class.getClassLoader());
      CodeSource cs = c.getProtectionDomain().getCodeSource();
      return cs != null && library != null && cs.getLocation().equals(library.getLocation());
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
