package io.github.multiprocessing4j.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.github.multiprocessing4j.Multiprocessing;
import io.github.multiprocessing4j.testing.Pids;
import io.github.multiprocessing4j.testing.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EventType;
import org.opentest4j.AssertionFailedError;

/**
 * {@link ForkedJvm}: small test classes (the static nested fixtures below, which Surefire does not
 * run by itself) run through the JUnit Platform, and their reported results asserted.
 */
@Timeout(240)
class ForkedJvmTest {

  /** Lifecycle calls of the fixtures in this JVM: a forked test's must all be in its child. */
  static final AtomicInteger CALLS_IN_THIS_JVM = new AtomicInteger();

  @Test
  void aPassingTestPassesAndRanInAChildJvm() {
    EngineExecutionResults r = run(selectClass(Passes.class));
    r.testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0));
  }

  @Test
  void anAssertjFailureArrivesAsTheChildsOwnErrorWithExpectedActualAndTheChildsStackTrace() {
    EngineExecutionResults r = run(selectClass(FailsWithAssertj.class));
    r.testEvents().assertThatEvents().haveExactly(1,
        event(test("differs"), finishedWithFailure(instanceOf(AssertionFailedError.class))));
    AssertionFailedError e = (AssertionFailedError) failure(r);
    assertThat(e.getExpected().getStringRepresentation()).isEqualTo("\"expected\"");
    assertThat(e.getActual().getStringRepresentation()).isEqualTo("\"actual\"");
    List<String> frames = List.of(e.getStackTrace()).stream().map(StackTraceElement::toString)
        .collect(Collectors.toList());
    assertThat(frames).as("the child's stack").anyMatch(f -> f.contains("FailsWithAssertj.differs"));
    assertThat(e.getMessage()).as("thrown in another JVM").contains("[in pid ")
        .doesNotContain("[in pid " + ProcessHandle.current().pid() + "]");
  }

  @Test
  void anAssumptionAbortsTheTest() {
    EngineExecutionResults r = run(selectClass(Assumes.class));
    r.testEvents().assertThatEvents().haveExactly(1,
        event(test("notHere"), abortedWithReason(message(m -> m.contains("not in this JVM")))));
  }

  @Test
  void systemExitOrHaltInTheChildFailsTheTestSayingWhatHappenedAndTheParentRunsOn() {
    EngineExecutionResults r = run(selectClass(Exits.class));
    r.testEvents().assertThatEvents().haveExactly(1, event(test("exits"),
        finishedWithFailure(instanceOf(AssertionError.class), message(m -> m.contains("exit code 3")
            && m.contains("ended before reporting") && m.contains("about to exit")))));
    r.testEvents().assertThatEvents().haveExactly(1, event(test("halts"),
        finishedWithFailure(instanceOf(AssertionError.class), message(m -> m.contains("killed by signal 9")))));
  }

  @Test
  void staticStateDoesNotLeakFromOneForkedTestToTheNext() {
    EngineExecutionResults r = run(selectClass(StaticState.class));
    r.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
    assertThat(StaticState.counter).as("nothing ran here").isZero();
  }

  @Test
  void theAnnotationsPropertiesEnvironmentAndJvmOptionsReachTheChild() {
    run(selectClass(Configured.class)).testEvents().assertStatistics(s -> s.started(1).succeeded(1));
  }

  @Test
  void lifecycleMethodsTempDirParameterizedAndNestedTestsRunInTheChild() {
    CALLS_IN_THIS_JVM.set(0);
    EngineExecutionResults r = run(selectClass(Lifecycle.class));
    r.testEvents().assertStatistics(s -> s.started(4).succeeded(4));
    assertThat(CALLS_IN_THIS_JVM).as("lifecycle methods run in the parent").hasValue(0);
    List<String> out = reportEntries(r, "stdout");
    assertThat(out).anyMatch(e -> e.contains("before-each,test,after-each in a child"));
    assertThat(out).anyMatch(e -> e.contains("param 1")).anyMatch(e -> e.contains("param 2"));
    assertThat(out).anyMatch(e -> e.contains("nested in a child"));
  }

  @Test
  void aMethodAnnotatedAloneIsForkedAndItsClassmatesAreNot() {
    EngineExecutionResults r = run(selectClass(OneMethodForked.class));
    r.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
  }

  @Test
  void theChildsOutputIsPublishedWithTheTest() {
    EngineExecutionResults r = run(selectMethod(Passes.class, "inAChild"));
    assertThat(reportEntries(r, "stdout")).anyMatch(e -> e.contains("hello from the child"));
    assertThat(reportEntries(r, "stderr")).anyMatch(e -> e.contains("and its stderr"));
  }

  @Test
  void aTestOutlivingItsTimeoutIsKilledAndFails() {
    EngineExecutionResults r = run(selectClass(Hangs.class));
    r.testEvents().assertThatEvents().haveExactly(1, event(test("hangs"),
        finishedWithFailure(instanceOf(TimeoutException.class), message(m -> m.contains("timed out after 2 s")))));
  }

  @Test
  void anExceptionThatCannotBeSerializedArrivesWithItsClassMessageAndStack() {
    EngineExecutionResults r = run(selectClass(ThrowsUnserializable.class));
    Throwable t = failure(r);
    assertThat(t).isInstanceOf(ForkedFailure.class)
        .hasToString(Unserializable.class.getName() + ": holds a thread");
    assertThat(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("throwsIt"));
  }

  @Test
  void forkserverTakesAWarmSpare() throws Exception {
    // The first run's start asks for a spare of these settings; whether it is warm by the next
    // test is a race (its warm-up runs JUnit), so this waits for it, as a user can.
    run(selectClass(OnASpare.class)).testEvents().assertStatistics(s -> s.started(1).succeeded(1));
    assertThat(Multiprocessing.awaitSpares(java.time.Duration.ofSeconds(60))).as("spares ready").isTrue();
    EngineExecutionResults r = run(selectClass(OnASpare.class));
    r.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
    assertThat(reportEntries(r, "stdout")).as("served by a warm spare").containsExactly("spare=true");
  }

  @Test
  void aTestFactoryIsRefusedSayingWhy() {
    EngineExecutionResults r = run(selectClass(Factory.class));
    r.containerEvents().assertThatEvents().haveExactly(1, event(container("dynamic"),
        finishedWithFailure(message(m -> m.contains("does not run @TestFactory")))));
  }

  @Test
  void aBadPropertyIsNamed() {
    EngineExecutionResults r = run(selectClass(BadProperty.class));
    r.testEvents().assertThatEvents().haveExactly(1, event(test("neverRuns"),
        finishedWithFailure(message(m -> m.contains("'novalue' is not name=value")))));
  }

  @Test
  void aLastLineWithoutALineSeparatorIsPublished() {
    EngineExecutionResults r = run(selectClass(PrintsWithoutNewline.class));
    r.testEvents().assertStatistics(st -> st.succeeded(1));
    assertThat(reportEntries(r, "stdout")).containsExactly("first line" + System.lineSeparator() + "no line separator after me");
    assertThat(reportEntries(r, "stderr")).containsExactly("err without one either");
  }

  @Test
  void aParameterOfTheParentsLauncherReachesTheChild() {
    // A non-static @BeforeAll is valid only with the per-class lifecycle, given to this launcher alone.
    EngineExecutionResults r = EngineTestKit.engine("junit-jupiter")
        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
        .configurationParameter("junit.jupiter.testinstance.lifecycle.default", "per_class")
        .selectors(selectClass(PerClassLifecycle.class)).execute();
    r.testEvents().assertStatistics(st -> st.failed(0).succeeded(1));
  }

  @Test
  void aTestIsReportedWithoutWaitingForItsJvmToExitAndItsClassEndsTheJvm() throws Exception {
    Map<String, Boolean> aliveAtReport = new java.util.concurrent.ConcurrentHashMap<>();
    long[] pid = {-1};
    org.junit.platform.launcher.Launcher launcher = org.junit.platform.launcher.core.LauncherFactory.create();
    launcher.execute(org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(KeepsItsJvmAlive.class))
        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false").build(),
        new org.junit.platform.launcher.TestExecutionListener() {
          @Override
          public void reportingEntryPublished(org.junit.platform.launcher.TestIdentifier id, ReportEntry entry) {
            String out = entry.getKeyValuePairs().getOrDefault("stdout", "");
            if (out.startsWith("pid ")) {
              pid[0] = Long.parseLong(out.substring(4).strip());
            }
          }

          @Override
          public void executionFinished(org.junit.platform.launcher.TestIdentifier id,
              org.junit.platform.engine.TestExecutionResult result) {
            if (id.isTest()) {
              aliveAtReport.put(result.getStatus().name(),
                  ProcessHandle.of(pid[0]).map(ProcessHandle::isAlive).orElse(false));
            }
          }
        });
    assertThat(aliveAtReport).as("passed, its JVM (kept alive by a non-daemon thread) still running")
        .containsExactly(Map.entry("SUCCESSFUL", true));
    assertThat(ProcessHandle.of(pid[0]).filter(ProcessHandle::isAlive)).as("ended with its class").isEmpty();
  }

  @Test
  void theGuidesExamplesPass() throws Exception {
    for (String name : List.of("OneMethod", "ForkedClass")) {
      Class<?> c = Class.forName("io.github.multiprocessing4j.docs.JunitSnippets$" + name);
      int tests = name.equals("OneMethod") ? 1 : 2;
      run(selectClass(c)).testEvents().assertStatistics(s -> s.failed(0).aborted(0).succeeded(tests));
    }
  }

  // ---- the child's side, in this JVM (the child JVMs are not measured for coverage) ----

  @Test
  void theChildsRunnerReportsEachOutcomeInThisJvmToo() {
    ForkedJvmExtension.runningForked(true);
    try {
      assertThat(ForkedRun.execute(uid(OneMethodForked.class, "notForked")).status)
          .isEqualTo(ForkedOutcome.Status.SUCCESSFUL);
      ForkedOutcome failed = ForkedRun.execute(uid(FailsWithAssertj.class, "differs"));
      assertThat(failed.status).isEqualTo(ForkedOutcome.Status.FAILED);
      assertThat(failed.throwable).isInstanceOf(AssertionFailedError.class);
      assertThat(ForkedRun.execute(uid(Assumes.class, "notHere")).status).isEqualTo(ForkedOutcome.Status.ABORTED);
      ForkedOutcome beforeAll = ForkedRun.execute(uid(BeforeAllFails.class, "neverRuns"));
      assertThat(beforeAll.status).isEqualTo(ForkedOutcome.Status.FAILED);
      assertThat(beforeAll.throwable).hasMessage("before all");
      assertThat(ForkedRun.execute(uid(Disabled.class, "off")).status).isEqualTo(ForkedOutcome.Status.SKIPPED);
      ForkedOutcome noSuchMethod = ForkedRun.execute(uid(Passes.class, "noSuchMethod"));
      assertThat(noSuchMethod.status).as("Jupiter reports the selector it cannot resolve")
          .isEqualTo(ForkedOutcome.Status.FAILED);
      assertThat(noSuchMethod.throwable).hasMessageContaining("noSuchMethod");
      assertThat(ForkedRun.execute("[engine:no-such-engine]/[test:t]").status).isEqualTo(ForkedOutcome.Status.NOT_FOUND);
      ForkedOutcome unserializable = ForkedRun.execute(uid(ThrowsUnserializable.class, "throwsIt")).portable();
      assertThat(unserializable.throwable).isInstanceOf(ForkedFailure.class).hasCauseInstanceOf(ForkedFailure.class);
      assertThat(((ForkedFailure) unserializable.throwable).originalClass()).isEqualTo(Unserializable.class.getName());
    } finally {
      ForkedJvmExtension.runningForked(false);
    }
  }

  @Test
  void theSparesWarmUpRunsInThisJvmToo() throws Exception {
    Class.forName(ForkedLauncher.WarmUp.class.getName(), true, ForkedJvmTest.class.getClassLoader());
    ForkedLauncher.warmUp(); // again: nothing of the user's runs, nothing is left behind
    ForkedLauncher.WarmUp.warmPipe(); // its failures, which the warm-up ignores, would show here
    // In a forked test's child, a warm-up leaves it one: a test after it must not fork again.
    ForkedJvmExtension.runningForked(true);
    try {
      ForkedLauncher.warmUp();
      assertThat(ForkedJvmExtension.isRunningForked()).isTrue();
    } finally {
      ForkedJvmExtension.runningForked(false);
    }
  }

  @Test
  void aForkedTestsJvmEndsWhenTheTestJvmThatStartedItDies(@TempDir Path dir) throws Exception {
    Path pidFile = dir.resolve("forked.pid");
    io.github.multiprocessing4j.Process testJvm = io.github.multiprocessing4j.Process.builder().name("test-jvm")
        .target(RunsAHangingForkedTest.class).environment(PID_FILE_VARIABLE, pidFile.toString()).build();
    testJvm.start();
    long forked = -1;
    try {
      Waits.until(() -> Files.exists(pidFile) && readPid(pidFile) > 0, "the forked test's JVM wrote its pid");
      forked = readPid(pidFile);
      testJvm.kill();
      assertThat(testJvm.join(Waits.JOIN)).isTrue();
      // Well within the hanging test's own timeout, which would end it too.
      assertThat(Pids.awaitGone(forked, Waits.JOIN)).as("the forked test's JVM ended with its test JVM").isTrue();
    } finally {
      testJvm.kill();
      testJvm.join(Waits.JOIN);
      if (forked > 0) {
        Pids.killQuietly(forked);
      }
    }
  }

  @Test
  void aForkedTestsJvmIsShortLivedUnlessTheAnnotationSaysOtherwise() {
    run(selectClass(ShortLivedByDefault.class)).testEvents().assertStatistics(s -> s.started(1).succeeded(1));
    run(selectClass(NotShortLived.class)).testEvents().assertStatistics(s -> s.started(1).succeeded(1));
  }

  @Test
  void theChildsLauncherReadsItsSystemPropertiesAndThePropertiesFile() {
    // On a spare, whose launcher read the file in its warm-up.
    run(selectClass(SeesItsConfiguration.class)).testEvents().assertStatistics(s -> s.started(1).succeeded(1));
    // In this JVM, after its launcher was made: a system property set now is seen.
    ForkedLauncher.warmUp();
    System.setProperty("fixture.fromSystemProperty", "yes");
    ForkedJvmExtension.runningForked(true);
    try {
      ForkedOutcome o = ForkedRun.execute(uid(SeesItsConfiguration.class, "sees", "java.util.function.Function"),
          Map.of("junit.jupiter.extensions.autodetection.enabled", "false"));
      assertThat(o.status).as(String.valueOf(o.throwable)).isEqualTo(ForkedOutcome.Status.SUCCESSFUL);
    } finally {
      ForkedJvmExtension.runningForked(false);
      System.clearProperty("fixture.fromSystemProperty");
    }
  }

  // ---- helpers ----

  private static EngineExecutionResults run(DiscoverySelector selector) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
        .selectors(selector).execute();
  }

  private static String uid(Class<?> c, String method, String... parameterTypes) {
    return "[engine:junit-jupiter]/[class:" + c.getName() + "]/[method:" + method + "("
        + String.join(",", parameterTypes) + ")]";
  }

  private static long readPid(Path file) {
    try {
      String s = Files.readString(file).strip();
      return s.endsWith(";") ? Long.parseLong(s.substring(0, s.length() - 1)) : -1; // ';': written whole
    } catch (java.io.IOException | NumberFormatException e) {
      return -1;
    }
  }

  private static Throwable failure(EngineExecutionResults r) {
    return r.testEvents().failed().stream().findFirst().orElseThrow()
        .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
  }

  private static List<String> reportEntries(EngineExecutionResults r, String key) {
    return r.allEvents().stream().filter(e -> e.getType() == EventType.REPORTING_ENTRY_PUBLISHED)
        .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs())
        .map(Map::entrySet).flatMap(s -> s.stream()).filter(kv -> kv.getKey().equals(key))
        .map(Map.Entry::getValue).collect(Collectors.toList());
  }

  // ---- fixtures: static nested classes, run only through the tests above ----

  @ForkedJvm
  static class Passes {
    @Test
    void inAChild() {
      assertThat(Multiprocessing.parentProcess()).as("started by this library").isPresent();
      System.out.println("hello from the child");
      System.err.println("and its stderr");
    }
  }

  @ForkedJvm
  static class FailsWithAssertj {
    @Test
    void differs() {
      assertThat("actual").as("in pid " + ProcessHandle.current().pid()).isEqualTo("expected");
    }
  }

  @ForkedJvm
  static class Assumes {
    @Test
    void notHere() {
      Assumptions.assumeTrue(false, "not in this JVM");
    }
  }

  @ForkedJvm
  static class Exits {
    @Test
    void exits() {
      System.err.println("about to exit");
      System.exit(3);
    }

    @Test
    void halts() {
      Runtime.getRuntime().halt(128 + 9); // reported as SIGKILL, as by the library's other children
    }
  }

  @ForkedJvm
  @TestMethodOrder(MethodOrderer.MethodName.class)
  static class StaticState {
    static int counter;

    @Test
    void first() {
      assertThat(++counter).isEqualTo(1);
    }

    @Test
    void second() {
      assertThat(++counter).isEqualTo(1);
    }
  }

  @ForkedJvm(systemProperties = "fixture.mode=forked", environment = "FIXTURE_ENV=from-annotation",
      jvmOptions = "-Xmx80m", startMethod = "spawn")
  static class Configured {
    @Test
    void seesItsSettings() {
      assertThat(System.getProperty("fixture.mode")).isEqualTo("forked");
      assertThat(System.getenv("FIXTURE_ENV")).isEqualTo("from-annotation");
      assertThat(Runtime.getRuntime().maxMemory()).isLessThan(90L << 20);
    }
  }

  @ForkedJvm
  static class Lifecycle {
    static final StringBuilder TRACE = new StringBuilder();

    @BeforeAll
    static void beforeAll() {
      countIfHere();
    }

    @BeforeEach
    void beforeEach() {
      countIfHere();
      TRACE.append("before-each,");
    }

    @Test
    void test(@TempDir Path dir) throws Exception {
      Files.writeString(dir.resolve("f"), "x");
      assertThat(Files.readString(dir.resolve("f"))).isEqualTo("x");
      TRACE.append("test,");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void parameterized(int n) {
      System.out.println("param " + n + (Multiprocessing.parentProcess().isPresent() ? " in a child" : ""));
    }

    @AfterEach
    void afterEach() {
      countIfHere();
      TRACE.append("after-each");
      System.out.println(TRACE + (Multiprocessing.parentProcess().isPresent() ? " in a child" : ""));
    }

    @AfterAll
    static void afterAll() {
      countIfHere();
    }

    @Nested
    class Inner {
      @Test
      void nested() {
        assertThat(Multiprocessing.parentProcess()).isPresent();
        System.out.println("nested in a child");
      }
    }
  }

  /** Counts a call made in the test JVM (a child is started by the library: it has a parent). */
  static void countIfHere() {
    if (Multiprocessing.parentProcess().isEmpty()) {
      CALLS_IN_THIS_JVM.incrementAndGet();
    }
  }

  static class OneMethodForked {
    @Test
    @ForkedJvm
    void forked() {
      assertThat(Multiprocessing.parentProcess()).isPresent();
    }

    @Test
    void notForked() {
      assertThat(Multiprocessing.parentProcess()).isEmpty();
    }
  }

  @ForkedJvm(timeoutSeconds = 2)
  static class Hangs {
    @Test
    void hangs() throws InterruptedException {
      Thread.sleep(Waits.UNTIL_KILLED.toMillis()); // a stuck test: killed by the timeout
    }
  }

  /** An exception whose field cannot be serialized. */
  static final class Unserializable extends RuntimeException {
    private static final long serialVersionUID = 1L;
    @SuppressWarnings({"serial", "unused"})
    private final Thread held = Thread.currentThread();

    Unserializable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @ForkedJvm
  static class ThrowsUnserializable {
    @Test
    void throwsIt() {
      throw new Unserializable("holds a thread", new IllegalStateException("cause"));
    }
  }

  @ForkedJvm(startMethod = "forkserver")
  @TestMethodOrder(MethodOrderer.MethodName.class)
  static class OnASpare {
    @Test
    void tellsWhetherASpareServedIt() {
      assertThat(Multiprocessing.getStartMethod()).isEqualTo("forkserver");
      System.out.println("spare=" + System.getProperty("multiprocessing4j.spare"));
    }
  }

  @ForkedJvm
  static class Factory {
    @org.junit.jupiter.api.TestFactory
    java.util.stream.Stream<org.junit.jupiter.api.DynamicTest> dynamic() {
      return java.util.stream.Stream.of(org.junit.jupiter.api.DynamicTest.dynamicTest("d", () -> { }));
    }
  }

  @ForkedJvm(systemProperties = "novalue")
  static class BadProperty {
    @Test
    void neverRuns() {
    }
  }

  static class BeforeAllFails {
    @BeforeAll
    static void fails() {
      throw new IllegalStateException("before all");
    }

    @Test
    void neverRuns() {
    }
  }

  static class Disabled {
    @Test
    @org.junit.jupiter.api.Disabled("off on purpose")
    void off() {
    }
  }

  @ForkedJvm
  static class PrintsWithoutNewline {
    @Test
    void prints() {
      System.out.println("first line");
      System.out.print("no line separator after me");
      System.err.print("err without one either");
    }
  }

  static final String PID_FILE_VARIABLE = "FIXTURE_PID_FILE";

  /** A test JVM of its own: runs {@link HangsInAChild} through the JUnit Platform. */
  static final class RunsAHangingForkedTest implements io.github.multiprocessing4j.Target {
    private static final long serialVersionUID = 1L;

    @Override
    public void run(io.github.multiprocessing4j.Args args) {
      ForkedJvmTest.run(selectClass(HangsInAChild.class));
    }
  }

  @ForkedJvm(startMethod = "spawn")
  static class HangsInAChild {
    @Test
    @Timeout(600) // not the default of junit-platform.properties (60 s), which would end it
    void writesItsPidAndHangs() throws Exception {
      Files.writeString(Path.of(System.getenv(PID_FILE_VARIABLE)), ProcessHandle.current().pid() + ";");
      Thread.sleep(Waits.UNTIL_KILLED.toMillis());
    }
  }

  @ForkedJvm
  static class ShortLivedByDefault {
    @Test
    void hasTheFlags() {
      assertThat(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
          .contains("-XX:TieredStopAtLevel=1", "-XX:-UsePerfData");
    }
  }

  @ForkedJvm(shortLived = false)
  static class NotShortLived {
    @Test
    void hasNone() {
      assertThat(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
          .doesNotContain("-XX:TieredStopAtLevel=1");
    }
  }

  @ForkedJvm(startMethod = "forkserver", systemProperties = "fixture.fromSystemProperty=yes")
  static class SeesItsConfiguration {
    @Test
    @org.junit.jupiter.api.extension.ExtendWith(ConfigurationLookup.class)
    void sees(java.util.function.Function<String, java.util.Optional<String>> parameter) {
      assertThat(parameter.apply("fixture.fromSystemProperty")).contains("yes");
      assertThat(parameter.apply("fixture.fromPropertiesFile")).contains("yes"); // src/test/resources
    }
  }

  /** Gives a test the configuration parameters of its launcher, by key. */
  static final class ConfigurationLookup implements org.junit.jupiter.api.extension.ParameterResolver {
    @Override
    public boolean supportsParameter(org.junit.jupiter.api.extension.ParameterContext p,
        org.junit.jupiter.api.extension.ExtensionContext c) {
      return p.getParameter().getType() == java.util.function.Function.class;
    }

    @Override
    public Object resolveParameter(org.junit.jupiter.api.extension.ParameterContext p,
        org.junit.jupiter.api.extension.ExtensionContext c) {
      return (java.util.function.Function<String, java.util.Optional<String>>) c::getConfigurationParameter;
    }
  }

  @ForkedJvm
  static class PerClassLifecycle {
    private boolean set;

    @BeforeAll
    void notStatic() {
      set = true;
    }

    @Test
    void sawIt() {
      assertThat(set).isTrue();
    }
  }

  @ForkedJvm
  static class KeepsItsJvmAlive {
    @Test
    void leavesANonDaemonThread() {
      Thread t = new Thread(() -> {
        try {
          new java.util.concurrent.CountDownLatch(1).await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "keeps-the-jvm-alive");
      t.start(); // not a daemon: the child's JVM waits for it, as a CPython child does for its threads
      System.out.println("pid " + ProcessHandle.current().pid());
    }
  }
}
