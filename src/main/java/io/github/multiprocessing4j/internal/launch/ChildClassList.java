package io.github.multiprocessing4j.internal.launch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The class list of a static archive for child JVMs: the JDK's own default list (the classes of
 * its default archive, and its lambda forms) followed by {@value #RESOURCE}, the classes that the
 * library's children, pool workers and first pipe or queue operations load beyond it: the JDK's
 * (NIO channels and Unix-domain sockets, the security providers behind their secure random, Java
 * serialization and its filter) and the library's. A name this JDK or the library's jar lacks is
 * skipped by the dumping JVM, so one list serves every JDK from 17 on.
 *
 * <p>The resource is made by {@code ChildClassListGenerator} in the tests, from
 * {@code -XX:DumpLoadedClassList} of such children; {@code ChildClassListTest} checks that each
 * library class it names exists.
 */
final class ChildClassList {

  /** The library's part of the list, beside this class. */
  static final String RESOURCE = "child-classes.txt";

  private ChildClassList() {}

  /**
   * Writes the class list.
   *
   * @param javaHome the JDK whose default list comes first
   * @param out the file to write
   * @throws IOException if it cannot be written, or the resource is missing
   */
  static void write(Path javaHome, Path out) throws IOException {
    try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      Path jdkList = javaHome.resolve("lib").resolve("classlist");
      if (Files.isRegularFile(jdkList)) {
        try (BufferedReader r = Files.newBufferedReader(jdkList, StandardCharsets.UTF_8)) {
          copy(r, w);
        }
      }
      try (InputStream in = ChildClassList.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IOException("the library's class list " + RESOURCE + " is missing from its jar");
        }
        copy(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), w);
      }
    }
  }

  private static void copy(BufferedReader r, Writer w) throws IOException {
    for (String line = r.readLine(); line != null; line = r.readLine()) {
      if (!line.isBlank() && !line.startsWith("#")) {
        w.write(line);
        w.write('\n');
      }
    }
  }
}
