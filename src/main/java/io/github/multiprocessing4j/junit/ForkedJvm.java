package io.github.multiprocessing4j.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test, or each test of the annotated class (its {@code @Nested} classes
 * included), in a fresh child JVM started by this library, one JVM per test: static state,
 * {@code System.exit}, system property changes and native crashes stay in the child.
 *
 * <pre>{@code
 * @Test
 * @ForkedJvm(jvmOptions = "-Xmx64m", systemProperties = "app.mode=test")
 * void readsTheModeAtClassInitialisation() {
 *   assertThat(Config.MODE).isEqualTo("test");   // a static initialiser, run afresh in this JVM
 * }
 * }</pre>
 *
 * <p>The child runs the test through the JUnit Platform with the test's own engine, selecting
 * exactly that test (its unique id): its {@code @BeforeAll}, {@code @BeforeEach},
 * {@code @AfterEach} and {@code @AfterAll} methods, its extensions, {@code @TempDir} and the
 * arguments of a {@code @ParameterizedTest} invocation all run in the child, and none of the
 * lifecycle methods of a forked test run in the parent (for a class annotated as a whole;
 * {@code @BeforeAll}/{@code @AfterAll} of a class whose methods are annotated one by one still run
 * in the parent for its other tests). The parent reports the child's result as its own: passed,
 * failed with the child's exception itself (its type, message, expected and actual values and the
 * child's stack trace), or aborted by an assumption. The child's output is copied into the
 * parent's {@code System.out} and {@code System.err} as it comes and published as the test's
 * report entries {@code stdout} and {@code stderr}. A child that ends before reporting
 * ({@code System.exit}, {@code halt}, a crash) or outlives {@link #timeoutSeconds()} fails the
 * test with what happened.
 *
 * <p>The child gets the parent's class path and, as every child of this library, the heap,
 * {@code -D}, assertion and module options of the parent's command line (see
 * {@code Process.Builder.inheritJvmSettings}); the options here come after them and win. Not
 * supported: {@code @TestFactory} methods (their dynamic tests would run in the parent; such a
 * test fails, saying so).
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(ForkedJvmExtension.class)
public @interface ForkedJvm {

  /**
   * Options of the child JVM, e.g. {@code "-Xmx64m"}, as {@code Process.Builder.jvmOptions}.
   *
   * @return the options; default none
   */
  String[] jvmOptions() default {};

  /**
   * System properties of the child JVM, each {@code "name=value"} (on its command line: no secrets).
   *
   * @return the properties; default none
   */
  String[] systemProperties() default {};

  /**
   * Environment variables of the child, each {@code "NAME=value"}, on top of the parent's.
   *
   * @return the variables; default none
   */
  String[] environment() default {};

  /**
   * The start method: {@code "spawn"}, {@code "forkserver"} (a warm spare JVM, launched ahead of
   * time, takes the test), or {@code ""} for the process-wide default
   * ({@code Multiprocessing.getStartMethod()}).
   *
   * @return the start method; default {@code ""}
   */
  String startMethod() default "";

  /**
   * How long the child may take, from its start to its result, before it is killed and the test
   * fails; zero or less for no limit. JUnit's {@code @Timeout} on the test applies in the child too.
   *
   * @return the limit in seconds; default 300
   */
  long timeoutSeconds() default 300;

  /**
   * Whether the child gets the flags of a short-lived JVM, as {@code Process.Builder.shortLived}:
   * only the C1 compiler, no {@code hsperfdata} file, and on JDK 25 the serial collector. A test's
   * JVM lives for one test, and with them a trivial forked test's class, its JVM's exit included,
   * ends sooner (BENCHMARKS.md, "Forked tests"). A test that computes for seconds runs faster with
   * the C2 compiler: give it {@code false}. Options of
   * {@link #jvmOptions()} come after these flags and win.
   *
   * @return whether the flags are given; default {@code true}
   */
  boolean shortLived() default true;
}
