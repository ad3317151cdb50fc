package io.github.multiprocessing4j.examples;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.ChildOutput;
import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.Process; // explicit: java.lang.Process is imported implicitly
import io.github.multiprocessing4j.Target;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The Python examples of the seed tutorial ({@code 进程(multiprocessing)}), in Java, in the seed's
 * order, one section each. Run it with {@code mvn -q test-compile exec:exec@demo}.
 *
 * <p>Two things differ from a one-to-one transcription, both because a child is a fresh JVM:
 * <ul>
 *   <li>The seed's last two examples sleep 0.5 s after {@code start()} and print {@code over}. A
 *       forked CPython child runs at once; a child JVM needs a few hundred milliseconds before its
 *       target runs. So the demo waits for the child's first line and then 0.3 s, which puts
 *       {@code over} after {@code 0.4}, as in the seed's output.</li>
 *   <li>"The main process waits for its children" needs {@code main} to end, so it is shown last,
 *       after the daemon example: {@code main} returns right after {@code over}, and the JVM stays
 *       up until the non-daemonic child has counted to 2.0.</li>
 * </ul>
 * Every other section joins its children before the next one starts, so the output stays readable.
 */
public final class SeedDemo {

  /** Section 4's "global variable": every JVM has its own. */
  static final List<Integer> LIST1 = new ArrayList<>();

  private SeedDemo() {}

  public static void main(String[] argv) throws Exception {
    printUtf8IfNeeded();
    processClass();
    processIds();
    processArguments();
    globalsAreNotShared();
    daemonProcess();
    mainProcessWaitsForChildren(); // last: returns from main while the child still runs
  }

  // ---------------------------------------------------------------------------------------------
  // 1. 进程类说明: Process(target, name), start()

  static void process01(Args args) throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      System.out.println("进程01");
      Thread.sleep(200);
    }
  }

  static void process02(Args args) throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      System.out.println("进程02");
      Thread.sleep(200);
    }
  }

  private static void processClass() throws InterruptedException {
    header(1, "进程类说明", "two processes print 5 times each, 0.2 s apart; one is named \"myprocess\"");
    // multiprocessing.Process(target=process_01, name="myprocess")
    Process process1 = Process.builder().target(SeedDemo::process01).name("myprocess").build();
    // multiprocessing.Process(target=process_02)
    Process process2 = new Process(SeedDemo::process02);
    process1.start();
    process2.start();
    process1.join();
    process2.join();
    System.out.println("names: " + process1.name() + ", " + process2.name());
  }

  // ---------------------------------------------------------------------------------------------
  // 2. 获取进程号: os.getpid(), os.getppid(), current_process(), os.kill(pid, 9)

  static void process01Pids(Args args) throws InterruptedException {
    printIdsThenKillMyself(1);
  }

  static void process02Pids(Args args) throws InterruptedException {
    printIdsThenKillMyself(2);
  }

  private static void printIdsThenKillMyself(int n) throws InterruptedException {
    System.out.println("子进程" + n + ": " + Multiprocessing.getpid() + " (" + Process.currentProcess().name() + ")");
    System.out.println("父进程" + n + ": " + Multiprocessing.getppid());
    for (int i = 0; i < 5; i++) {
      Thread.sleep(200);
      // os.kill(os.getpid(), 9): does not return
      Multiprocessing.kill(Multiprocessing.getpid(), Multiprocessing.SIGKILL);
    }
  }

  private static void processIds() throws InterruptedException {
    header(2, "获取进程号", "pids: each child prints its pid and its parent's, then kills itself with signal 9");
    System.out.println("main的父进程 (main's parent pid): " + Multiprocessing.getppid());
    System.out.println("main的进程号 (main's pid): " + Multiprocessing.getpid());
    Process process1 = Process.builder().target(SeedDemo::process01Pids).name("myprocess").build();
    Process process2 = new Process(SeedDemo::process02Pids);
    process1.start();
    process2.start();
    process1.join();
    process2.join();
    System.out.println("exitcode: " + process1.name() + " " + process1.exitCode() + ", " + process2.name() + " "
        + process2.exitCode());
    System.out.println(process1);
    System.out.println(process2);
  }

  // ---------------------------------------------------------------------------------------------
  // 3. 进程带参数: args=("我是进程1",) and kwargs={"data": "我是进程2"}

  /** {@code def process_01(data): print(data)}: binds {@code data} by keyword, else by position. */
  static final class PrintData implements Target {
    @Override
    public void run(Args args) {
      String data = args.param(0, "data", String.class);
      System.out.println(data);
    }
  }

  private static void processArguments() throws InterruptedException {
    header(3, "进程带参数", "arguments: positional args and keyword kwargs reach the same kind of target");
    // multiprocessing.Process(target=process_01, name="myprocess", args=("我是进程1",))
    Process process1 = Process.builder().target(PrintData.class).name("myprocess").args("我是进程1").build();
    // multiprocessing.Process(target=process_02, kwargs={"data": "我是进程2"})
    Process process2 = Process.builder().target(PrintData.class).kwargs(Map.of("data", "我是进程2")).build();
    process1.start();
    process2.start();
    process1.join();
    process2.join();
  }

  // ---------------------------------------------------------------------------------------------
  // 4. 进程之间不共享全局变量

  static void process01Globals(Args args) {
    for (int i = 0; i < 5; i++) {
      LIST1.add(i);
    }
    System.out.println("进程1 list1: " + LIST1);
  }

  static void process02Globals(Args args) {
    System.out.println("去取list1: " + LIST1);
  }

  private static void globalsAreNotShared() throws InterruptedException {
    header(4, "进程之间不共享全局变量", "globals are not shared: each child JVM has its own static list1");
    Process process1 = Process.builder().target(SeedDemo::process01Globals).name("myprocess").build();
    Process process2 = new Process(SeedDemo::process02Globals);
    process1.start();
    process1.join(); // process 2 starts only once process 1 has filled its list1, and still sees []
    process2.start();
    process2.join();
    System.out.println("主进程 list1 (main's list1): " + LIST1);
  }

  // ---------------------------------------------------------------------------------------------
  // 5 and 6: the counting child: prints 0.2, 0.4, ... 2.0, one every 0.2 s

  static void count(Args args) throws InterruptedException {
    double nums = 0;
    for (int i = 0; i < 10; i++) {
      nums += 0.2;
      System.out.println(Math.round(nums * 100) / 100.0); // print(nums.__round__(2))
      Thread.sleep(200);
    }
  }

  /**
   * The counting child, named "myprocess". Its lines are printed here, and the first one opens
   * {@code running}: the moment the seed's timings start from.
   */
  private static Process counter(boolean daemon, CountDownLatch running) {
    return Process.builder()
        .target(SeedDemo::count)
        .name("myprocess")
        .daemon(daemon)
        .stdout(ChildOutput.toLines(line -> {
          System.out.println(line);
          running.countDown();
        }))
        .build();
  }

  private static void awaitFirstLine(CountDownLatch running) throws InterruptedException {
    if (!running.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the child printed nothing within 60 s");
    }
  }

  private static void daemonProcess() throws InterruptedException {
    header(5, "守护进程", "daemon: main prints \"over\", sees the child alive and terminates it; counting stops");
    CountDownLatch running = new CountDownLatch(1);
    Process process1 = counter(true, running); // process_1.daemon = True
    process1.start();
    awaitFirstLine(running);
    Thread.sleep(300);
    System.out.println("over");
    boolean alive = process1.isAlive();
    if (alive) {
      process1.terminate();
    }
    process1.join();
    System.out.println("is_alive(): " + alive + ", after terminate() exitcode: " + process1.exitCode());
  }

  private static void mainProcessWaitsForChildren() throws InterruptedException {
    header(6, "主进程会等待所有子进程结束后再结束",
        "the main process waits for its children: main() returns after \"over\", the JVM stays up until the child ends");
    CountDownLatch running = new CountDownLatch(1);
    Process process1 = counter(false, running);
    process1.start();
    awaitFirstLine(running);
    Thread.sleep(300);
    System.out.println("over");
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> System.out.println("(the JVM exits now: main() returned at \"over\", then myprocess ended)")));
    // exit(): main returns here; the non-daemonic child keeps counting to 2.0 and the JVM waits for it.
  }

  // ---------------------------------------------------------------------------------------------

  private static void header(int n, String title, String gloss) {
    System.out.println();
    System.out.println("=== " + n + ". " + title + " | " + gloss + " ===");
  }

  /** The seed prints Chinese: switch to UTF-8 where the console's encoding cannot show it. */
  private static void printUtf8IfNeeded() {
    String encoding = System.getProperty("stdout.encoding",
        System.getProperty("sun.stdout.encoding", System.getProperty("file.encoding", "UTF-8")));
    try {
      if (Charset.forName(encoding).newEncoder().canEncode("进程")) {
        return;
      }
    } catch (IllegalArgumentException e) {
      // unknown encoding name: use UTF-8
    }
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8));
  }
}
