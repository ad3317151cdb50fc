package io.github.multiprocessing4j.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A Linux network namespace made for a test, linked to the test JVM's namespace by a veth pair
 * with private addresses on both ends ({@code 10.201.N.1} here, {@code 10.201.N.2} inside), as
 * a machine of its own on a private network. Names carry the creating JVM's pid, so that
 * {@link #removeStale()} removes what earlier runs left (a JVM killed before its cleanup) and
 * never a namespace of a run still going.
 */
final class NetworkNamespace implements AutoCloseable {

  /** Every namespace and interface of these tests starts so; then the creator's pid. */
  private static final String NS_PREFIX = "mp4j-test-";
  private static final String LINK_PREFIX = "m4j";

  final String name;
  /** The address of the test JVM's end of the link. */
  final String hostAddress;
  /** The address of the namespace's end of the link. */
  final String innerAddress;
  private final String hostLink;
  private final String innerLink;

  private NetworkNamespace(long pid, int subnet) {
    this.name = NS_PREFIX + pid;
    this.hostLink = LINK_PREFIX + pid + "h";
    this.innerLink = LINK_PREFIX + pid + "i";
    this.hostAddress = "10.201." + subnet + ".1";
    this.innerAddress = "10.201." + subnet + ".2";
  }

  /**
   * Makes the namespace and its link, or aborts the test (skipped, with the reason) where this
   * machine does not let it: not root, no {@code ip}, no permission.
   */
  static NetworkNamespace createOrSkip() {
    Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "network namespaces need Linux");
    String probe = tryRun(List.of("ip", "netns", "list"));
    Assumptions.assumeTrue(probe == null, "cannot use network namespaces here (`ip netns list`: " + probe + ")");
    removeStale();
    long pid = ProcessHandle.current().pid();
    NetworkNamespace ns = new NetworkNamespace(pid, (int) (10 + pid % 240));
    String failure = tryRun(List.of("ip", "netns", "add", ns.name));
    Assumptions.assumeTrue(failure == null, "cannot create a network namespace here (needs root): " + failure);
    try {
      run("ip", "link", "add", ns.hostLink, "type", "veth", "peer", "name", ns.innerLink);
      run("ip", "link", "set", ns.innerLink, "netns", ns.name);
      run("ip", "addr", "add", ns.hostAddress + "/24", "dev", ns.hostLink);
      run("ip", "link", "set", ns.hostLink, "up");
      ns.inside("ip", "link", "set", "lo", "up");
      ns.inside("ip", "addr", "add", ns.innerAddress + "/24", "dev", ns.innerLink);
      ns.setLink(true);
      return ns;
    } catch (RuntimeException | Error e) {
      ns.close();
      throw e;
    }
  }

  /** A command line that runs {@code command} inside the namespace. */
  List<String> exec(List<String> command) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name));
    c.addAll(command);
    return c;
  }

  /** Takes the namespace's end of the link down (a cut cable) or up again. */
  void setLink(boolean up) {
    inside("ip", "link", "set", innerLink, up ? "up" : "down");
  }

  private void inside(String... command) {
    run(exec(List.of(command)).toArray(new String[0]));
  }

  /** Deletes the namespace (which deletes both ends of the link); quiet and idempotent. */
  @Override
  public void close() {
    tryRun(List.of("ip", "netns", "delete", name));
    if (tryRun(List.of("ip", "link", "show", hostLink)) == null) {
      tryRun(List.of("ip", "link", "delete", hostLink));
    }
  }

  /** Tells whether the namespace exists. */
  boolean exists() {
    return run("ip", "netns", "list").lines().anyMatch(l -> l.split(" ")[0].equals(name));
  }

  /** Removes the namespaces and links of earlier runs whose JVM is gone. */
  static void removeStale() {
    for (String line : run("ip", "netns", "list").split("\n")) {
      String ns = line.split(" ")[0];
      if (ns.startsWith(NS_PREFIX) && creatorGone(ns.substring(NS_PREFIX.length()))) {
        tryRun(List.of("ip", "netns", "delete", ns));
      }
    }
    for (String line : run("ip", "-o", "link", "show").split("\n")) {
      String[] f = line.split(":? +|@");
      if (f.length > 1 && f[1].startsWith(LINK_PREFIX) && f[1].length() > LINK_PREFIX.length() + 1
          && creatorGone(f[1].substring(LINK_PREFIX.length(), f[1].length() - 1))) {
        tryRun(List.of("ip", "link", "delete", f[1]));
      }
    }
  }

  private static boolean creatorGone(String pid) {
    try {
      return ProcessHandle.of(Long.parseLong(pid)).map(p -> !p.isAlive()).orElse(true);
    } catch (NumberFormatException e) {
      return false; // not one of ours
    }
  }

  /** Runs a command; its output, or an AssertionError with its error output. */
  private static String run(String... command) {
    String[] out = new String[1];
    String failure = run(List.of(command), out);
    if (failure != null) {
      throw new AssertionError(failure);
    }
    return out[0];
  }

  /** Runs a command: null if it succeeded, else what went wrong. */
  private static String tryRun(List<String> command) {
    return run(command, new String[1]);
  }

  private static String run(List<String> command, String[] out) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] bytes = p.getInputStream().readAllBytes(); // ends when the command does
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return String.join(" ", command) + " did not end";
      }
      out[0] = new String(bytes, StandardCharsets.UTF_8);
      return p.exitValue() == 0 ? null : String.join(" ", command) + " exited " + p.exitValue() + ": " + out[0].trim();
    } catch (IOException e) {
      return String.join(" ", command) + ": " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return String.join(" ", command) + ": interrupted";
    }
  }
}
