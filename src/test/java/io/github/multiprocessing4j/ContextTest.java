package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProcessPoolExecutor;
import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.Waits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CPython's contexts (semantics §A.13): {@link Multiprocessing#getContext(String)} and the
 * processes, pools and executors of a context, with CPython's names (§A.2).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ContextTest {

  private static final List<String> METHODS = List.of("spawn", "forkserver");

  /** The process-wide start method is global: every test starts and ends with it unset. */
  @BeforeEach
  @AfterEach
  void resetStartMethod() {
    Multiprocessing.setStartMethod(null, true);
  }

  @AfterAll
  static void discardSpares() {
    Spares.discardAll();
  }

  static void report(Args args) {
    System.out.println(Multiprocessing.getStartMethod() + " " + Process.currentProcess().name() + " "
        + args.getString(0) + " " + Process.currentProcess().toString().split(" ")[0]);
  }

  /** What a pool or executor worker reports about itself. */
  static String whoAmI() {
    return Process.currentProcess().name() + " " + Multiprocessing.getStartMethod() + " daemon="
        + Process.currentProcess().isDaemon();
  }

  private static String type(String method) {
    return method.equals("spawn") ? "Spawn" : "ForkServer";
  }

  @Test
  void aContextStartsItsProcessesWithItsStartMethodAndNamesThemAfterIt() throws Exception {
    for (String method : METHODS) {
      Context ctx = Multiprocessing.getContext(method);
      assertThat(ctx.getStartMethod()).isEqualTo(method);
      CapturedLines out = new CapturedLines();
      Process p = ctx.processBuilder().target(ContextTest::report).args("hello").stdout(out.output()).build();
      String type = type(method) + "Process";
      assertThat(p.name()).matches(type + "-\\d+");
      assertThat(p.toString()).isEqualTo("<" + type + " name='" + p.name() + "' parent="
          + Multiprocessing.getpid() + " initial>");
      p.start();
      assertThat(p.join(Waits.JOIN)).isTrue();
      assertThat(p.exitCode()).isZero();
      assertThat(out.text()).as("the child's start method and name").isEqualTo(method + " " + p.name() + " hello <" + type);
      assertThat(p.toString()).startsWith("<" + type + " name='" + p.name() + "' pid=" + p.pid())
          .endsWith(" stopped exitcode=0>");

      Process q = ctx.process(ContextTest::report, "again");
      assertThat(q.name()).matches(type + "-\\d+");
      q.start();
      assertThat(q.join(Waits.JOIN)).isTrue();
      assertThat(q.exitCode()).isZero();
    }
    assertThat(Multiprocessing.getStartMethod(true)).as("a context does not fix the default").isNull();
  }

  /** A subclass made through a context keeps its own name, as {@code class MyProc(ctx.Process)}. */
  static final class Sub extends Process {
    private static final long serialVersionUID = 1L;

    Sub(Process.Builder options) {
      super(options);
    }
  }

  @Test
  void namesShareTheOneProcessCounterAndFollowTheStartMethodUsed() {
    Process plain = new Process();
    Process spawn = Multiprocessing.getContext("spawn").process(ContextTest::report, "x");
    Process forkserver = Multiprocessing.getContext("forkserver").processBuilder().build();
    Process switched = Multiprocessing.getContext("spawn").processBuilder().startMethod("forkserver").build();
    Process named = Multiprocessing.getContext("spawn").processBuilder().name("mine").build();
    Process perProcess = Process.builder().startMethod("spawn").build();
    Process sub = new Sub(Multiprocessing.getContext("forkserver").processBuilder());
    int n = Integer.parseInt(plain.name().substring("Process-".length()));
    assertThat(List.of(plain.name(), spawn.name(), forkserver.name(), switched.name(), named.name(),
        perProcess.name(), sub.name())).containsExactly("Process-" + n, "SpawnProcess-" + (n + 1),
        "ForkServerProcess-" + (n + 2), "ForkServerProcess-" + (n + 3), "mine", "Process-" + (n + 5),
        "Sub-" + (n + 6));
    assertThat(named.toString()).startsWith("<SpawnProcess name='mine' ");
    assertThat(perProcess.toString()).as("a start method alone is not a context").startsWith("<Process ");
    assertThat(sub.toString()).startsWith("<Sub name='Sub-" + (n + 6) + "' ");
  }

  @Test
  void poolWorkersAreNamedAfterTheStartMethodTheyUse() throws Exception {
    for (String method : METHODS) {
      Context ctx = Multiprocessing.getContext(method);
      String worker;
      try (Pool pool = ctx.pool(1)) {
        worker = pool.apply(ContextTest::whoAmI);
      }
      assertThat(worker).matches(type(method) + "PoolWorker-\\d+ " + method + " daemon=true");
      int n = Integer.parseInt(worker.substring(worker.indexOf('-') + 1, worker.indexOf(' ')));
      assertThat(new Process().name()).as("the worker took a number of the shared counter").isEqualTo(
          "Process-" + (n + 1));
    }
    // Pool.builder().context(..), and a start method in workerOptions, which also names the
    // worker; a name set there is replaced by the pool's.
    try (Pool pool = Pool.builder().processes(1).context(Multiprocessing.getContext("spawn"))
        .workerOptions(w -> w.startMethod("forkserver").name("mine")).build()) {
      assertThat(pool.apply(ContextTest::whoAmI)).matches("ForkServerPoolWorker-\\d+ forkserver daemon=true");
    }
    assertThat(Multiprocessing.getStartMethod(true)).as("a pool of a context does not fix the default").isNull();
  }

  @Test
  void aPoolWithoutAContextUsesAndFixesTheDefaultStartMethod() throws Exception {
    Multiprocessing.setStartMethod("forkserver");
    try (Pool pool = new Pool(1)) {
      assertThat(pool.apply(ContextTest::whoAmI)).matches("ForkServerPoolWorker-\\d+ forkserver daemon=true");
    }
    Multiprocessing.setStartMethod(null, true);
    String expectedDefault = System.getProperty("multiprocessing4j.startMethod", "spawn");
    try (ProcessPoolExecutor executor = new ProcessPoolExecutor(1)) {
      assertThat(Multiprocessing.getStartMethod(true)).as("building the executor fixed the default")
          .isEqualTo(expectedDefault);
      assertThat(executor.submit(ContextTest::whoAmI).get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS))
          .matches(type(expectedDefault) + "Process-\\d+ " + expectedDefault + " daemon=true");
    }
  }

  @Test
  void executorWorkersKeepTheContextsProcessNames() throws Exception {
    for (String method : METHODS) {
      Context ctx = Multiprocessing.getContext(method);
      try (ProcessPoolExecutor executor = ctx.processPoolExecutor(1)) {
        assertThat(executor.submit(ContextTest::whoAmI).get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS))
            .matches(type(method) + "Process-\\d+ " + method + " daemon=true");
      }
    }
    try (ProcessPoolExecutor executor = ProcessPoolExecutor.builder().maxWorkers(1)
        .context(Multiprocessing.getContext("forkserver")).build()) {
      assertThat(executor.submit(ContextTest::whoAmI).get(Waits.JOIN.toSeconds(), TimeUnit.SECONDS))
          .matches("ForkServerProcess-\\d+ forkserver daemon=true");
    }
  }

  @Test
  void theStartMethodOfAConcreteContextCannotBeSet() {
    for (String method : METHODS) {
      Context ctx = Multiprocessing.getContext(method);
      assertThatThrownBy(() -> ctx.setStartMethod("spawn")).isInstanceOf(IllegalStateException.class)
          .hasMessage("cannot set start method of concrete context");
      assertThatThrownBy(() -> ctx.setStartMethod("forkserver", true)).isInstanceOf(IllegalStateException.class)
          .hasMessage("cannot set start method of concrete context");
      assertThatThrownBy(() -> ctx.setStartMethod(null, true)).isInstanceOf(IllegalStateException.class)
          .hasMessage("cannot set start method of concrete context");
      assertThat(ctx.getStartMethod()).isEqualTo(method);
    }
    assertThat(Multiprocessing.getStartMethod(true)).isNull();
  }

  @Test
  void getContextWithoutAMethodFixesTheDefaultAsCpythonsDoes() {
    assertThat(Multiprocessing.getStartMethod(true)).isNull();
    // The default is spawn, unless the run sets another (as ForkserverTest says).
    String expectedDefault = System.getProperty("multiprocessing4j.startMethod", "spawn");
    Context ctx = Multiprocessing.getContext();
    assertThat(ctx.getStartMethod()).isEqualTo(expectedDefault);
    assertThat(ctx).as("the concrete context of the method").isSameAs(Multiprocessing.getContext(expectedDefault));
    assertThat(Multiprocessing.getStartMethod(true)).as("fixed").isEqualTo(expectedDefault);
    assertThatThrownBy(() -> Multiprocessing.setStartMethod("forkserver")).isInstanceOf(IllegalStateException.class)
        .hasMessage("context has already been set");
    assertThatThrownBy(() -> ctx.setStartMethod("forkserver")).isInstanceOf(IllegalStateException.class)
        .hasMessage("cannot set start method of concrete context");

    Multiprocessing.setStartMethod("forkserver", true);
    assertThat(Multiprocessing.getContext()).isSameAs(Multiprocessing.getContext("forkserver"));
    assertThat(ctx.getStartMethod()).as("a context keeps its method").isEqualTo(expectedDefault);
  }

  @Test
  void badStartMethodsFailInTheCallersThreadWithClearMessages() {
    assertThatThrownBy(() -> Multiprocessing.getContext("bogus")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot find context for 'bogus'");
    assertThatThrownBy(() -> Multiprocessing.getContext("fork")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot find context for 'fork'");
    assertThatThrownBy(() -> Multiprocessing.getContext("Spawn")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot find context for 'Spawn'");
    assertThatThrownBy(() -> Multiprocessing.getContext(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("start method must not be null").hasMessageContaining("getContext()");
    assertThatThrownBy(() -> Pool.builder().context(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("context must not be null");
    assertThatThrownBy(() -> ProcessPoolExecutor.builder().context(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("context must not be null");
    assertThat(Multiprocessing.getStartMethod(true)).as("nothing fixed the default").isNull();
  }

  @Test
  void thereIsOneContextPerStartMethodEvenAcrossSerialization() throws Exception {
    Context spawn = Multiprocessing.getContext("spawn");
    Context forkserver = Multiprocessing.getContext("forkserver");
    assertThat(spawn).isSameAs(Multiprocessing.getContext("spawn")).isNotSameAs(forkserver);
    assertThat(spawn).hasToString("Context[start_method=spawn]");
    assertThat(forkserver).hasToString("Context[start_method=forkserver]");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(forkserver);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(in.readObject()).isSameAs(forkserver);
    }
  }
}
