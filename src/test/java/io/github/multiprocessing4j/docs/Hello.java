package io.github.multiprocessing4j.docs;

// The README's quick start, whole: the file a reader would write. DocSnippetsTest checks that the
// README shows exactly this region and runs main.

// snippet:quick-start
import io.github.multiprocessing4j.Process; // explicit: java.lang.Process is imported implicitly

public class Hello {
  public static void main(String[] args) throws InterruptedException {
    Process p = new Process(a -> System.out.println("hello, " + a.get(0)), "bob");
    p.start();                        // a child JVM runs the lambda
    p.join();
    System.out.println(p.exitCode()); // 0
  }
}
// end:quick-start
