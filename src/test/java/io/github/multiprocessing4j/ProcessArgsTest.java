package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.Waits;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a target gets its arguments (CPython's {@code args}/{@code kwargs}, §A.1 and A.4): values and
 * their types arrive intact, {@link Args#param} binds by position or keyword, and each form of
 * target (lambda, class, class name, {@code run()} override, {@code super.run()}) runs in the child
 * with what the parent gave it. Children report back as lines on their stdout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ProcessArgsTest {

  /** A user type the child must deserialize from the test classes. */
  record Point(int x, String label) implements Serializable {
  }

  /** Class name, value, and for containers the same of every element: enough to spot a changed type. */
  static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    String type = v.getClass().getName();
    if (v instanceof byte[]) {
      return type + "|" + Arrays.toString((byte[]) v);
    }
    if (v instanceof List) {
      return type + "|" + ((List<?>) v).stream().map(ProcessArgsTest::describe)
          .collect(Collectors.joining(", ", "[", "]"));
    }
    if (v instanceof Map) {
      return type + "|" + ((Map<?, ?>) v).entrySet().stream()
          .map(e -> describe(e.getKey()) + "=" + describe(e.getValue()))
          .collect(Collectors.joining(", ", "{", "}"));
    }
    if (v instanceof String && ((String) v).length() > 200) {
      return type + "|length=" + ((String) v).length() + ",hash=" + v.hashCode();
    }
    return type + "|" + v;
  }

  private static void reportArgs(Args args) {
    for (int i = 0; i < args.size(); i++) {
      System.out.println("arg" + i + "=" + describe(args.get(i)));
    }
    for (Map.Entry<String, Object> e : args.kwargs().entrySet()) {
      System.out.println("kw." + e.getKey() + "=" + describe(e.getValue()));
    }
    System.out.println("kwnames=" + String.join(",", args.kwargs().keySet()));
  }

  /** The seed's {@code def process_01(data): print(data)}. */
  private static void process01(Args args) {
    System.out.println(args.param(0, "data", String.class));
  }

  /** Started by class name. */
  static final class Echo implements Target {
    @Override
    public void run(Args args) {
      System.out.println("echo " + args.getString(0) + " " + args.getInt(1));
    }
  }

  /** Neither the class nor its constructor is public: the child must still instantiate it. */
  private static final class Hidden implements Target {
    private Hidden() {
    }

    @Override
    public void run(Args args) {
      System.out.println("hidden " + args.kwarg("who", String.class));
    }
  }

  /** CPython's subclass style: state set in the constructor, used by run() in the child. */
  static final class Greeter extends Process {
    private final String greeting;
    private final int times;
    private final List<Point> points;

    Greeter(CapturedLines out, String greeting, int times, List<Point> points) {
      super(Process.builder().stdout(out.output()));
      this.greeting = greeting;
      this.times = times;
      this.points = points;
    }

    @Override
    public void run() {
      for (int i = 0; i < times; i++) {
        System.out.println(greeting + " " + i);
      }
      System.out.println("points=" + points);
      System.out.println("selfIsCurrent=" + (Process.currentProcess() == this));
      System.out.println("name=" + name());
    }
  }

  /** A subclass that wraps, rather than replaces, the target call. */
  static final class Wrapping extends Process {
    Wrapping(CapturedLines out, Target target, Object... args) {
      super(Process.builder().target(target).args(args).stdout(out.output()));
    }

    @Override
    public void run() throws Exception {
      System.out.println("before");
      super.run();
      System.out.println("after");
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void argumentsAndKeywordArgumentsArriveWithValuesAndTypesIntact() throws Exception {
    List<Object> positional = new ArrayList<>(Arrays.asList(
        "我是进程1", "😀", "", "x".repeat(70_000), Integer.MIN_VALUE, Long.MAX_VALUE, Math.PI, Float.MIN_VALUE,
        (short) -7, (byte) 0x7f, '进', true, new byte[] {1, 0, -1}, null,
        new ArrayList<>(List.of("a", 1, 2L)), new Point(3, "p")));
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("k", 1.5f);
    inner.put("nested", new Point(-1, "中"));
    Map<String, Object> kwargs = new LinkedHashMap<>();
    kwargs.put("data", "我是进程2");
    kwargs.put("zeta", 7);
    kwargs.put("alpha", null);
    kwargs.put("map", inner);
    kwargs.put("bytes", new byte[0]);

    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(ProcessArgsTest::reportArgs).args(positional.toArray()).kwargs(kwargs)
        .stdout(out.output()).build();
    p.start();
    p.join();

    assertThat(p.exitCode()).as("stdout: %s", out.text()).isZero();
    for (int i = 0; i < positional.size(); i++) {
      assertThat(out.value("arg" + i)).as("argument #%d", i).isEqualTo(describe(positional.get(i)));
    }
    assertThat(out.lines()).filteredOn(l -> l.startsWith("arg")).hasSize(positional.size());
    for (Map.Entry<String, Object> e : kwargs.entrySet()) {
      assertThat(out.value("kw." + e.getKey())).as("keyword %s", e.getKey()).isEqualTo(describe(e.getValue()));
    }
    // Keyword order is kept, as a Python dict keeps it.
    assertThat(out.value("kwnames")).isEqualTo("data,zeta,alpha,map,bytes");
  }

  /** UTF-16 code units, so that neither the pipe's encoding nor the console can hide a change. */
  static String codeUnits(String s) {
    return s.chars().mapToObj(Integer::toHexString).collect(Collectors.joining(","));
  }

  private static void reportCodeUnits(Args args) {
    System.out.println("positional=" + codeUnits(args.getString(0)));
    System.out.println("keyword=" + codeUnits(args.kwarg("s", String.class)));
  }

  @Test
  void stringsWithUnpairedSurrogatesArriveUnchanged() throws Exception {
    // Any Java String is a valid argument; Java serialization keeps lone surrogates, so must we.
    String odd = "a\uD800b\uDC00";
    CapturedLines out = new CapturedLines();
    Process p = Process.builder().target(ProcessArgsTest::reportCodeUnits).args(odd).kwarg("s", odd)
        .stdout(out.output()).build();
    p.start();
    p.join();

    assertThat(p.exitCode()).as("stdout: %s", out.text()).isZero();
    assertThat(out.value("positional")).isEqualTo(codeUnits(odd));
    assertThat(out.value("keyword")).isEqualTo(codeUnits(odd));
  }

  @Test
  void paramBindsTheSeedsDataParameterByPositionOrByKeyword() throws Exception {
    CapturedLines byPosition = new CapturedLines();
    CapturedLines byKeyword = new CapturedLines();
    Process p1 = Process.builder().target(ProcessArgsTest::process01).name("myprocess").args("我是进程1")
        .stdout(byPosition.output()).build();
    Process p2 = Process.builder().target(ProcessArgsTest::process01).kwargs(Map.of("data", "我是进程2"))
        .stdout(byKeyword.output()).build();
    p1.start();
    p2.start();
    p1.join();
    p2.join();

    assertThat(p1.exitCode()).isZero();
    assertThat(p2.exitCode()).isZero();
    assertThat(byPosition.lines()).containsExactly("我是进程1");
    assertThat(byKeyword.lines()).containsExactly("我是进程2");
  }

  @Test
  void paramRefusesAnArgumentGivenTwiceMissingOrOfTheWrongType() {
    Args both = Args.of(List.of("x"), Map.of("data", "y"));
    assertThatThrownBy(() -> both.param(0, "data", String.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple values for argument 'data'");
    Args none = Args.of(List.of(), Map.of("other", 1));
    assertThatThrownBy(() -> none.param(0, "data", String.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing required argument 'data'");
    Args wrong = Args.of(List.of(1), Map.of());
    assertThatThrownBy(() -> wrong.param(0, "data", String.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Integer");
    assertThat(Args.of(List.of(), Map.of("data", 5)).param(3, "data", int.class)).isEqualTo(5);
  }

  @Test
  void classNameAndNonPublicClassTargetsAreInstantiatedInTheChild() throws Exception {
    CapturedLines echoOut = new CapturedLines();
    CapturedLines hiddenOut = new CapturedLines();
    Process echo = Process.builder().target(Echo.class.getName()).args("hi", 42).stdout(echoOut.output()).build();
    Process hidden = Process.builder().target(Hidden.class).kwarg("who", "me").stdout(hiddenOut.output()).build();
    echo.start();
    hidden.start();
    echo.join();
    hidden.join();

    assertThat(echo.exitCode()).isZero();
    assertThat(hidden.exitCode()).isZero();
    assertThat(echoOut.lines()).containsExactly("echo hi 42");
    assertThat(hiddenOut.lines()).containsExactly("hidden me");
  }

  @Test
  void subclassFieldsReachTheOverriddenRunAndSuperRunCallsTheTarget() throws Exception {
    CapturedLines greeterOut = new CapturedLines();
    CapturedLines wrappingOut = new CapturedLines();
    List<Point> points = List.of(new Point(1, "a"), new Point(2, "b"));
    Greeter greeter = new Greeter(greeterOut, "你好", 2, points);
    Wrapping wrapping = new Wrapping(wrappingOut, args -> System.out.println("target " + args.getString(0)), "x");
    greeter.start();
    wrapping.start();
    greeter.join();
    wrapping.join();

    assertThat(greeter.exitCode()).as("stdout: %s", greeterOut.text()).isZero();
    assertThat(greeterOut.lines()).containsExactly("你好 0", "你好 1", "points=" + points, "selfIsCurrent=true",
        "name=" + greeter.name());
    assertThat(greeter.name()).startsWith("Greeter-");
    assertThat(wrapping.exitCode()).as("stdout: %s", wrappingOut.text()).isZero();
    assertThat(wrappingOut.lines()).containsExactly("before", "target x", "after");
  }
}
