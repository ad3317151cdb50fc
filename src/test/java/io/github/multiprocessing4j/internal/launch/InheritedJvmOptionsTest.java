package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which of a parent's JVM options a child inherits, and which of the child's own replace them. */
class InheritedJvmOptionsTest {

  @Test
  void memoryPerfDataPropertiesAssertionsAndModuleAccessAreInherited() {
    List<String> kept = List.of("-Xmx128m", "-Xms16m", "-Xss512k", "-Xmn8m", "-XX:MaxRAMPercentage=25",
        "-XX:MaxMetaspaceSize=64m", "-XX:MaxDirectMemorySize=32m", "-XX:+UseSerialGC", "-Dapp.mode=batch",
        "-Dflag", "-ea", "-da:com.example...", "-esa", "-enableassertions:org.x", "--enable-preview",
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-reads=java.base=ALL-UNNAMED", "--add-modules=jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED", "-XX:+UsePerfData", "-XX:-UsePerfData");
    assertThat(InheritedJvmOptions.select(kept)).isEqualTo(kept);
  }

  @Test
  void agentsDebuggingRecordingLogFilesAndTheLibrarysOwnAreNot() {
    List<String> dropped = List.of("-javaagent:/m2/jacocoagent.jar=destfile=/t/jacoco.exec",
        "-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=5005", "-agentpath:/opt/yourkit.so",
        "-Xrunjdwp:transport=dt_socket", "-Xdebug", "-XX:StartFlightRecording=filename=/t/p.jfr",
        "-XX:FlightRecorderOptions=stackdepth=96", "-Xlog:gc:file=/t/gc.log", "-Xloggc:/t/gc.log",
        "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=/t/heap.hprof", "-XX:ErrorFile=/t/err.log",
        "-XX:ArchiveClassesAtExit=/t/a.jsa", "-XX:SharedArchiveFile=/t/a.jsa", "-XX:AOTCacheOutput=/t/a.aot",
        "-Xshare:off", "-Dcom.sun.management.jmxremote.port=9010", "-Dmultiprocessing4j.spare=true",
        "-Dmultiprocessing4j.spares=2", "-Djava.class.path=/x.jar", "-Djdk.module.main=m", "-Dsun.java.command=X",
        "-Duser.dir=/elsewhere", "-cp=/x.jar", "-XX:TieredStopAtLevel=1", "-verbose:gc", "-D=x");
    assertThat(InheritedJvmOptions.select(dropped)).isEmpty();
  }

  @Test
  void theChildsOwnOptionReplacesTheInheritedOneOfTheSameKey() {
    List<String> inherited = List.of("-Xmx128m", "-Xms64m", "-Xss1m", "-XX:+UseG1GC", "-XX:MaxMetaspaceSize=64m",
        "-Dapp.mode=batch", "-Dkeep=1", "-ea", "--add-opens=java.base/java.lang=ALL-UNNAMED");
    assertThat(InheritedJvmOptions.keptBeside(inherited, List.of("-Xmx256m"), Set.of()))
        .containsExactly("-Xms64m", "-Xss1m", "-XX:+UseG1GC", "-XX:MaxMetaspaceSize=64m", "-Dapp.mode=batch",
            "-Dkeep=1", "-ea", "--add-opens=java.base/java.lang=ALL-UNNAMED");
    // One key for the maximum heap however it is set, so that the child's own choice takes effect
    // (an inherited -Xmx would otherwise override the child's MaxRAMPercentage).
    assertThat(InheritedJvmOptions.keptBeside(inherited,
        List.of("-XX:MaxRAMPercentage=50", "-XX:InitialHeapSize=8m", "-XX:ThreadStackSize=2048",
            "-XX:+UseSerialGC", "-XX:MaxMetaspaceSize=128m", "-Dapp.mode=own"), Set.of("keep")))
        .containsExactly("-ea", "--add-opens=java.base/java.lang=ALL-UNNAMED");
    assertThat(InheritedJvmOptions.keptBeside(List.of(), List.of("-Xmx1g"), Set.of())).isEmpty();
  }

  @Test
  void theLaunchersArgvGivesTheOptionsBeforeTheMainClassAsTheMxBeanShowsThem() {
    assertThat(InheritedJvmOptions.launcherOptions(List.of("/jdk/bin/java", "-Xmx64m", "--add-opens",
        "java.base/java.lang=ALL-UNNAMED", "-cp", "a.jar:b.jar", "-Dx=1", "com.example.Main", "-Dnot=mine", "-ea")))
        .containsExactly("-Xmx64m", "--add-opens=java.base/java.lang=ALL-UNNAMED", "-cp=a.jar:b.jar", "-Dx=1");
    assertThat(InheritedJvmOptions.launcherOptions(List.of("java", "-ea", "-jar", "app.jar", "-Xmx1g")))
        .containsExactly("-ea");
    assertThat(InheritedJvmOptions.launcherOptions(List.of("java", "-Dy=2", "-m", "mod/com.example.Main")))
        .containsExactly("-Dy=2");
    assertThat(InheritedJvmOptions.launcherOptions(List.of("java", "-Xms8m", "--module=mod/x.Main")))
        .containsExactly("-Xms8m");
    // An @argfile only the JVM has expanded, or a JVM embedded in another program: ask the JVM.
    assertThat(InheritedJvmOptions.launcherOptions(List.of("java", "@/tmp/args", "Main"))).isNull();
    assertThat(InheritedJvmOptions.launcherOptions(List.of("/usr/bin/idea", "-Xmx2g"))).isNull();
    assertThat(InheritedJvmOptions.launcherOptions(List.of())).isNull();
  }

  @Test
  void thisJvmsInheritedOptionsAreWhatItsCommandLineAllows() {
    List<String> mine = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
    assertThat(InheritedJvmOptions.ofThisJvm()).isEqualTo(InheritedJvmOptions.select(mine))
        .noneMatch(o -> o.startsWith("-javaagent") || o.startsWith("-agent"));
  }
}
