package io.github.multiprocessing4j.junit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The configuration parameters of the parent's launcher that a forked test's child runs with. The
 * child's launcher reads {@code junit-platform.properties} and its own system properties, but a
 * parameter given to the parent's launcher (Surefire's {@code configurationParameters}, an IDE's
 * run configuration, a {@code LauncherDiscoveryRequest}) reaches it only through here. JUnit
 * cannot list a launcher's parameters, so these are the Jupiter ones that change how one test
 * runs; parameters of parallel execution and of ordering are left out (the child runs one test).
 */
final class LauncherParameters {

  /** The keys forwarded, where the parent has a value. */
  static final List<String> KEYS = List.of(
      "junit.jupiter.extensions.autodetection.enabled",
      "junit.jupiter.extensions.autodetection.include",
      "junit.jupiter.extensions.autodetection.exclude",
      "junit.jupiter.testinstance.lifecycle.default",
      "junit.jupiter.displayname.generator.default",
      "junit.jupiter.conditions.deactivate",
      "junit.jupiter.tempdir.cleanup.mode.default",
      "junit.jupiter.tempdir.factory.default",
      "junit.jupiter.params.displayname.default",
      "junit.jupiter.execution.timeout.default",
      "junit.jupiter.execution.timeout.mode",
      "junit.jupiter.execution.timeout.thread.mode.default",
      "junit.jupiter.execution.timeout.testable.method.default",
      "junit.jupiter.execution.timeout.test.method.default",
      "junit.jupiter.execution.timeout.testtemplate.method.default",
      "junit.jupiter.execution.timeout.testfactory.method.default",
      "junit.jupiter.execution.timeout.lifecycle.method.default",
      "junit.jupiter.execution.timeout.beforeall.method.default",
      "junit.jupiter.execution.timeout.beforeeach.method.default",
      "junit.jupiter.execution.timeout.aftereach.method.default",
      "junit.jupiter.execution.timeout.afterall.method.default",
      "junit.platform.stacktrace.pruning.enabled");

  private LauncherParameters() {}

  /** The forwarded parameters that {@code context}'s launcher has a value for. */
  static Map<String, String> of(ExtensionContext context) {
    Map<String, String> found = new HashMap<>();
    for (String key : KEYS) {
      context.getConfigurationParameter(key).ifPresent(v -> found.put(key, v));
    }
    return found;
  }
}
