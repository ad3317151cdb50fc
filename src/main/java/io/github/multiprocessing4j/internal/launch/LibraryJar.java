package io.github.multiprocessing4j.internal.launch;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The library's own classes as a jar, which a class-data sharing archive can name as the first
 * entry of a child's class path. The JVM archives classes of jars only, and only of a class path
 * that starts with the archive's; a child's class path with a directory (Maven's
 * {@code target/classes}, an IDE's output folder) can therefore still get the library and the JDK
 * from an archive if the library's jar goes first. Where the library itself is a directory (its
 * own build), a jar of that directory is made once, in the private cache directory.
 */
final class LibraryJar {

  private LibraryJar() {}

  /**
   * The library's code source: its jar, its classes directory, or null where it is neither a
   * file nor a directory (a custom class loader, a jrt image).
   */
  static Path codeSource() {
    try {
      CodeSource cs = LibraryJar.class.getProtectionDomain().getCodeSource();
      if (cs == null || cs.getLocation() == null || !"file".equals(cs.getLocation().getProtocol())) {
        return null;
      }
      Path p = Paths.get(cs.getLocation().toURI());
      return Files.isRegularFile(p) || Files.isDirectory(p) ? p : null;
    } catch (URISyntaxException | RuntimeException e) {
      return null;
    }
  }

  /**
   * A name for the jar of a classes directory, from each file's relative path, size and
   * modification time (in the order the file system lists them): a rebuilt directory gets another
   * jar, and so another archive.
   */
  static String jarName(Path dir) throws IOException {
    Fingerprint f = new Fingerprint().add(dir.toString());
    // walkFileTree hands over each file's attributes: no second stat per file, and no streams,
    // whose first use a cold program would pay for here
    Files.walkFileTree(dir, new SimpleFileVisitor<Path>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
        f.add(entryName(dir, file)).add(a.size()).add(a.lastModifiedTime().toMillis());
        return FileVisitResult.CONTINUE;
      }
    });
    return "lib-" + f.hex() + ".jar";
  }

  /**
   * Makes {@code jar} from {@code dir} unless it exists. Never replaces one: an archive made
   * against a jar records its size and time, and the JVM refuses the archive if they change, so
   * the first writer wins and later ones use its jar.
   */
  static void writeIfAbsent(Path dir, Path jar, String nonce) throws IOException {
    if (Files.isRegularFile(jar)) {
      return;
    }
    Path tmp = jar.resolveSibling(jar.getFileName() + "." + nonce + ".tmp");
    try {
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(tmp))) {
        for (Path f : files(dir)) {
          out.putNextEntry(new JarEntry(entryName(dir, f)));
          Files.copy(f, (OutputStream) out);
          out.closeEntry();
        }
      }
      try {
        Files.createLink(jar, tmp); // fails if there is one: rename(2) would replace it
      } catch (FileAlreadyExistsException e) {
        // a concurrent writer was first: its jar has the same content
      } catch (UnsupportedOperationException | IOException e) {
        if (!Files.exists(jar)) {
          Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE);
        }
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      List<Path> files = walk.filter(Files::isRegularFile).collect(Collectors.toCollection(ArrayList::new));
      files.sort(null);
      return files;
    }
  }

  private static String entryName(Path dir, Path f) {
    return dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
  }
}
