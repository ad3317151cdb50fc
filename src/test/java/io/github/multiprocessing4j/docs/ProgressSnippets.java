package io.github.multiprocessing4j.docs;

import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProgressListener;
import io.github.multiprocessing4j.pool.ResultIterator;
import java.io.PrintStream;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** docs/progress.md's snippets. */
final class ProgressSnippets {

  private ProgressSnippets() {}

  // snippet:progress-bar
  /** A one-line bar, redrawn in place: [##########..........]  50% 500/1000 */
  static ProgressListener bar(PrintStream terminal) {
    return (done, total) -> {
      int width = 20;
      int filled = total > 0 ? (int) (width * done / total) : 0;
      String percent = total > 0 ? String.format("%4d%% ", 100 * done / total) : " ";
      terminal.print("\r[" + "#".repeat(filled) + ".".repeat(width - filled) + "]" + percent
          + done + "/" + (total == ProgressListener.UNKNOWN ? "?" : total));
      if (done == total) {
        terminal.println();  // the last call: keep the finished bar, go to the next line
      }
    };
  }
  // end:progress-bar

  static List<Integer> mapWithBar() throws Exception {
    List<String> words = IntStream.range(0, 1000).mapToObj(i -> "word" + i).collect(Collectors.toList());
    // snippet:progress-map
    try (Pool pool = new Pool(2)) {
      List<Integer> lengths = pool.map(String::length, words, 50, bar(System.err));  // 20 redraws
      return lengths;
    }
    // end:progress-map
  }

  static long imapWithBar() {
    // snippet:progress-imap
    try (Pool pool = new Pool(2)) {
      Iterable<String> lines = () -> Stream.generate(() -> "a line").limit(300).iterator();  // size unknown
      ResultIterator<Integer> lengths = pool.imap(String::length, lines, 100, bar(System.err));
      long sum = 0;
      while (lengths.hasNext()) {
        sum += lengths.next();  // 100/? while the input is read, then n/300 once it has ended
      }
      return sum;
    }
    // end:progress-imap
  }
}
