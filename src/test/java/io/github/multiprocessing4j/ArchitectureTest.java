package io.github.multiprocessing4j;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.conditions.ArchConditions;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout's rules, read from the main class files (see CONTRIBUTING.md, "Layout"):
 *
 * <ul>
 *   <li>Internal packages never use the API, except its exception types (the library's error
 *       vocabulary, which uses nothing internal), and use each other only downwards:
 *       {@code access} (the bridge between public packages) and {@code runtime} at the bottom; {@code shm} and {@code codec} on it; {@code transport} on
 *       {@code runtime} and {@code shm}; {@code launch} on {@code runtime} and {@code codec}.
 *   <li>No package cycle. The mutual references of the API itself, {@code Context}'s factories
 *       {@code pool(...)}, {@code processPoolExecutor(...)} and {@code manager()} (CPython's
 *       {@code ctx.Pool()} and {@code ctx.Manager()}), are the only edges left out of the check,
 *       with references to exception types.
 *   <li>An exported package shows only its API: the implementation beside it is package-private.
 * </ul>
 */
final class ArchitectureTest {

  private static final String ROOT = "io.github.multiprocessing4j";
  private static final String INTERNAL = ROOT + ".internal";

  /** For each internal package, the internal packages it may use. */
  private static final Map<String, List<String>> INTERNAL_USES = Map.of(
      "access", List.of(),
      "runtime", List.of(),
      "shm", List.of("runtime"),
      // access: the compact form of the library's by-name objects reads and resolves ObjectRefs.
      "codec", List.of("runtime", "access"),
      "transport", List.of("runtime", "shm"),
      "launch", List.of("runtime", "codec"),
      "events", List.of());

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
        .importPackages(ROOT);
  }

  private static final DescribedPredicate<JavaClass> API_ERROR = describe("an exception type of the API",
      c -> c.getPackageName().startsWith(ROOT) && !c.getPackageName().startsWith(INTERNAL)
          && c.isAssignableTo(Throwable.class));

  private static final DescribedPredicate<JavaClass> CONTEXT = describe("Context",
      c -> c.getName().equals(ROOT + ".Context") || c.getName().startsWith(ROOT + ".Context$"));

  private static final DescribedPredicate<JavaClass> IN_POOL = describe("a class of the pool package",
      c -> c.getPackageName().equals(ROOT + ".pool"));
  private static final DescribedPredicate<JavaClass> IN_MANAGERS = describe("a class of the managers package",
      c -> c.getPackageName().equals(ROOT + ".managers"));

  @Test
  void everyInternalPackageIsKnownHere() {
    classes().that().resideInAPackage(INTERNAL + "..")
        .should(ArchConditions.be(describe(
            "in one of " + INTERNAL_USES.keySet(),
            c -> c.getPackageName().startsWith(INTERNAL + ".")
                && INTERNAL_USES.containsKey(c.getPackageName().substring(INTERNAL.length() + 1)))))
        .check(main);
  }

  @Test
  void internalPackagesUseNoApiButItsExceptions() {
    noClasses().that().resideInAPackage(INTERNAL + "..")
        .should().dependOnClassesThat(describe("API classes other than exceptions",
            c -> c.getPackageName().startsWith(ROOT) && !c.getPackageName().startsWith(INTERNAL)
                && !API_ERROR.test(c)))
        .check(main);
  }

  @Test
  void apiExceptionsUseNothingInternal() {
    noClasses().that(API_ERROR).should().dependOnClassesThat().resideInAPackage(INTERNAL + "..")
        .check(main);
  }

  @Test
  void internalPackagesUseEachOtherOnlyDownwards() {
    INTERNAL_USES.forEach((pkg, allowed) -> {
      String[] forbidden = INTERNAL_USES.keySet().stream()
          .filter(other -> !other.equals(pkg) && !allowed.contains(other))
          .map(other -> INTERNAL + "." + other + "..")
          .toArray(String[]::new);
      noClasses().that().resideInAPackage(INTERNAL + "." + pkg + "..")
          .should().dependOnClassesThat().resideInAnyPackage(forbidden)
          .because(pkg + " may use only " + allowed)
          .check(main);
    });
  }

  /** Every package of the library a slice of its own, the root package too. */
  private static final SliceAssignment BY_PACKAGE = new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass c) {
      return c.getPackageName().startsWith(ROOT) ? SliceIdentifier.of(c.getPackageName()) : SliceIdentifier.ignore();
    }

    @Override
    public String getDescription() {
      return "the library's packages";
    }
  };

  @Test
  void onlyTheClusterPackageUsesHazelcast() {
    // Hazelcast is optional: a class elsewhere that named it would fail without it on the path.
    noClasses().that().resideOutsideOfPackage(ROOT + ".cluster..")
        .should().dependOnClassesThat().resideInAPackage("com.hazelcast..")
        .check(main);
  }

  @Test
  void onlyTheMicrometerPackageUsesMicrometerAndNothingUsesThatPackage() {
    // Micrometer is optional: a class elsewhere that named it would fail without it on the path.
    noClasses().that().resideOutsideOfPackage(ROOT + ".micrometer")
        .should().dependOnClassesThat().resideInAnyPackage("io.micrometer..", ROOT + ".micrometer")
        .check(main);
  }

  @Test
  void noPackageCycles() {
    slices().assignedFrom(BY_PACKAGE).should().beFreeOfCycles()
        .ignoreDependency(DescribedPredicate.alwaysTrue(), API_ERROR)
        .ignoreDependency(CONTEXT, IN_POOL)
        .ignoreDependency(CONTEXT, IN_MANAGERS)
        .check(main);
  }

  @Test
  void exportedPackagesShowOnlyTheirApi() {
    // A public type in an exported package is API for good: adding one is a decision, made here.
    classes().that().resideInAnyPackage(EXPORTED.toArray(String[]::new))
        .and().arePublic().and().areTopLevelClasses()
        .should(ArchConditions.be(describe("listed in ArchitectureTest.API", c -> API.contains(c.getName()))))
        .check(main);
  }

  private static final List<String> EXPORTED = List.of(ROOT, ROOT + ".connection", ROOT + ".queues",
      ROOT + ".pool", ROOT + ".sync", ROOT + ".shared", ROOT + ".managers", ROOT + ".junit", ROOT + ".cluster",
      ROOT + ".micrometer");

  /** The public types of the exported packages. */
  private static final Set<String> API = Set.of(
      ROOT + ".Args", ROOT + ".ChildOutput", ROOT + ".Context", ROOT + ".LaunchOptions", ROOT + ".Multiprocessing",
      ROOT + ".MultiprocessingException", ROOT + ".Process", ROOT + ".RemoteException", ROOT + ".Target",
      ROOT + ".connection.AuthenticationException", ROOT + ".connection.BrokenPipeException",
      ROOT + ".connection.BufferTooShortException", ROOT + ".connection.Client",
      ROOT + ".connection.Connection", ROOT + ".connection.ConnectionException",
      ROOT + ".connection.Listener", ROOT + ".connection.PeerClosedException", ROOT + ".connection.Pipe",
      ROOT + ".connection.Readiness", ROOT + ".queues.JoinableQueue", ROOT + ".queues.Queue",
      ROOT + ".queues.QueueEmptyException", ROOT + ".queues.QueueFullException", ROOT + ".queues.SimpleQueue",
      ROOT + ".pool.AsyncResult", ROOT + ".pool.BrokenProcessPoolException",
      ROOT + ".pool.MaybeEncodingException", ROOT + ".pool.Pool", ROOT + ".pool.ProcessPoolExecutor",
      ROOT + ".pool.PoolStatistics", ROOT + ".pool.ProgressListener", ROOT + ".pool.ResultIterator", ROOT + ".pool.SerializableCallable", ROOT + ".pool.SerializableFunction",
      ROOT + ".pool.SerializableRunnable", ROOT + ".pool.WorkerDiedException",
      ROOT + ".pool.WorkerPoolBuilder", ROOT + ".sync.Barrier", ROOT + ".sync.BoundedSemaphore",
      ROOT + ".sync.Condition", ROOT + ".sync.Event", ROOT + ".sync.Held", ROOT + ".sync.Lock",
      ROOT + ".sync.RLock", ROOT + ".sync.Semaphore", ROOT + ".shared.Array", ROOT + ".shared.RawArray",
      ROOT + ".shared.RawValue", ROOT + ".shared.ShareableList", ROOT + ".shared.SharedMemory",
      ROOT + ".shared.SharedMemoryException", ROOT + ".shared.SharedMemoryExistsException",
      ROOT + ".shared.SharedMemoryManager", ROOT + ".shared.SharedMemoryNotFoundException",
      ROOT + ".shared.TypeCode", ROOT + ".shared.Value", ROOT + ".managers.AcquirerProxy", ROOT + ".managers.BarrierProxy",
      ROOT + ".managers.BaseManager", ROOT + ".managers.ConditionProxy", ROOT + ".managers.EventProxy",
      ROOT + ".managers.ArrayProxy", ROOT + ".managers.AsyncResultProxy", ROOT + ".managers.JoinableQueueProxy",
      ROOT + ".managers.PoolProxy",
      ROOT + ".managers.BaseProxy", ROOT + ".managers.ManagedFactory", ROOT + ".managers.ManagerServer",
      ROOT + ".managers.Namespace", ROOT + ".managers.Registration", ROOT + ".managers.RemoteError",
      ROOT + ".managers.SyncManager", ROOT + ".managers.ValueProxy",
      ROOT + ".junit.ForkedJvm", ROOT + ".junit.ForkedJvmExtension",
      ROOT + ".cluster.Cluster", ROOT + ".cluster.ClusterMember", ROOT + ".cluster.ClusterQueue",
      ROOT + ".cluster.ClusterJoinableQueue",
      ROOT + ".micrometer.PoolMetrics");

  @Test
  void onlyTheJunitPackageUsesJunitAndNothingUsesThatPackage() {
    // JUnit is an optional dependency: the core must run with slf4j-api alone on the class path.
    noClasses().that().resideOutsideOfPackage(ROOT + ".junit")
        .should().dependOnClassesThat().resideInAnyPackage("org.junit..", "org.opentest4j..", ROOT + ".junit")
        .check(main);
  }
}
