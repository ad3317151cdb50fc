package io.github.multiprocessing4j.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.github.multiprocessing4j.testing.CapturedLines;
import io.github.multiprocessing4j.testing.Waits;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Wire compatibility with CPython's {@code multiprocessing.connection}: a CPython {@code Client}
 * talks to our {@link Listener}, and our {@link Client} to a CPython {@code Listener}, with an
 * authkey, over a Unix socket and over TCP. Runs {@code python3} from the PATH, and the
 * interpreters listed in the environment variable {@code MP4J_PYTHON} (separated by the path
 * separator, e.g. {@code /opt/py312/bin/python3:/opt/py313/bin/python3}: CPython 3.11 and older
 * speak the legacy HMAC-MD5 handshake, 3.12 and later the {@code {sha256}} one); skipped for an
 * interpreter that cannot be run.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ListenerInteropTest {

  private static final byte[] KEY = "interop-key".getBytes(StandardCharsets.US_ASCII);
  private static final Map<String, String> VERSIONS = new ConcurrentHashMap<>();

  private static final String PY_CLIENT = String.join("\n",
      "import sys",
      "from multiprocessing.connection import Client",
      "kind, where = sys.argv[1], sys.argv[2]",
      "key = bytes.fromhex(sys.stdin.readline().strip())",
      "if kind == 'tcp':",
      "    host, port = where.rsplit(':', 1)",
      "    where = (host, int(port))",
      "with Client(where, authkey=key) as c:",
      "    m = c.recv_bytes()",
      "    c.send_bytes(m[::-1])",
      "    c.send_bytes(b'')",
      "    c.send_bytes(bytes(range(256)) * 1000)",
      "    big = c.recv_bytes()",
      "    c.send_bytes(str(len(big)).encode() if big == bytes(range(256)) * 400 else b'corrupt')",
      "print('done', flush=True)");

  private static final String PY_LISTENER = String.join("\n",
      "import sys",
      "from multiprocessing.connection import Listener, AuthenticationError",
      "kind = sys.argv[1]",
      "key = bytes.fromhex(sys.stdin.readline().strip())",
      "with Listener(('127.0.0.1', 0) if kind == 'tcp' else None, authkey=key) as l:",
      "    a = l.address",
      "    print('address=' + ('%s:%d' % a if isinstance(a, tuple) else a), flush=True)",
      "    try:",
      "        l.accept()",
      "        print('accepted a wrong key', flush=True)",
      "    except AuthenticationError as e:",
      "        print('rejected: ' + str(e), flush=True)",
      "    with l.accept() as c:",
      "        c.send_bytes(c.recv_bytes().upper())",
      "        c.send_bytes(b'')",
      "        c.send_bytes(c.recv_bytes())",
      "        c.recv_bytes()",
      "print('done', flush=True)");

  static Stream<Arguments> pythons() {
    List<String> names = new ArrayList<>(List.of("python3"));
    String extra = System.getenv("MP4J_PYTHON");
    if (extra != null) {
      for (String p : extra.split(File.pathSeparator)) {
        if (!p.isBlank()) {
          names.add(p.trim());
        }
      }
    }
    return names.stream().flatMap(p -> Stream.of(Arguments.of(p, "unix"), Arguments.of(p, "tcp")));
  }

  /** Skips the test unless {@code python} runs and has multiprocessing.connection. */
  private static void assumeRunnable(String python) throws InterruptedException {
    String version = VERSIONS.computeIfAbsent(python, p -> {
      try {
        java.lang.Process v = new ProcessBuilder(p, "-c",
            "import sys, multiprocessing.connection; print('%d.%d' % sys.version_info[:2])")
            .redirectErrorStream(true).start();
        v.getOutputStream().close();
        byte[] out = v.getInputStream().readAllBytes();
        if (!v.waitFor(20, TimeUnit.SECONDS)) {
          v.destroyForcibly().waitFor();
          return "";
        }
        return v.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8).trim() : "";
      } catch (IOException e) {
        return "";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "";
      }
    });
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    assumeThat(version).as(python + " with multiprocessing.connection").isNotEmpty();
  }

  /** A running CPython script, its key on stdin, its output collected line by line. */
  private static final class Python implements AutoCloseable {
    final java.lang.Process process;
    final CapturedLines out = new CapturedLines();
    final CapturedLines err = new CapturedLines();

    Python(String python, String script, String... args) throws IOException {
      List<String> cmd = new ArrayList<>(List.of(python, "-c", script));
      cmd.addAll(List.of(args));
      process = new ProcessBuilder(cmd).start();
      pump(process.getInputStream(), out);
      pump(process.getErrorStream(), err);
      try (OutputStream in = process.getOutputStream()) { // the key on stdin, not on the command line
        in.write((HexFormat.of().formatHex(KEY) + "\n").getBytes(StandardCharsets.US_ASCII));
      }
    }

    private static void pump(InputStream s, CapturedLines into) {
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(s, StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            into.accept(line);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, "python-output");
      t.setDaemon(true);
      t.start();
    }

    /** Waits for the script to end and checks that it succeeded. */
    void assertSucceeds() throws InterruptedException {
      assertThat(process.waitFor(Waits.JOIN.toSeconds(), TimeUnit.SECONDS)).as("python ended").isTrue();
      assertThat(process.exitValue()).as("python's exit code; stderr:\n" + err.text()).isZero();
      out.await("done", Waits.JOIN);
    }

    String diagnostics() {
      return "python stdout:\n" + out.text() + "\npython stderr:\n" + err.text();
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
      process.onExit().join();
    }
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("pythons")
  void aCPythonClientTalksToOurListener(String python, String kind) throws Exception {
    assumeRunnable(python);
    Listener.Builder b = Listener.builder().authkey(KEY);
    if (kind.equals("tcp")) {
      b.address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }
    try (Listener l = b.open()) {
      SocketAddress a = l.address();
      assumeThat(kind.equals("tcp") || a instanceof UnixDomainSocketAddress).as("Unix sockets").isTrue();
      String where = a instanceof UnixDomainSocketAddress ? ((UnixDomainSocketAddress) a).getPath().toString()
          : ((InetSocketAddress) a).getAddress().getHostAddress() + ":" + ((InetSocketAddress) a).getPort();
      try (Python py = new Python(python, PY_CLIENT, kind, where)) {
        Connection c = l.accept(Waits.JOIN).orElseThrow(() -> new AssertionError("no client; " + py.diagnostics()));
        try (c) {
          c.sendBytes("hello".getBytes(StandardCharsets.US_ASCII));
          assertThat(new String(c.recvBytes(), StandardCharsets.US_ASCII)).isEqualTo("olleh");
          assertThat(c.recvBytes()).isEmpty();
          byte[] big = c.recvBytes();
          assertThat(big).hasSize(256_000);
          for (int i = 0; i < big.length; i++) {
            assertThat(big[i]).isEqualTo((byte) i);
          }
          byte[] mine = new byte[102_400]; // more than 16 KiB: header and payload in separate writes
          for (int i = 0; i < mine.length; i++) {
            mine[i] = (byte) i;
          }
          c.sendBytes(mine);
          assertThat(new String(c.recvBytes(), StandardCharsets.US_ASCII)).isEqualTo("102400");
          assertThatThrownBy(c::recvBytes).isInstanceOf(PeerClosedException.class);
        }
        py.assertSucceeds();
      }
    }
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("pythons")
  void ourClientTalksToACPythonListener(String python, String kind) throws Exception {
    assumeRunnable(python);
    try (Python py = new Python(python, PY_LISTENER, kind)) {
      String where = py.out.await("address=", Waits.JOIN).substring("address=".length());
      SocketAddress a;
      if (kind.equals("tcp")) {
        int colon = where.lastIndexOf(':');
        a = new InetSocketAddress(InetAddress.getByName(where.substring(0, colon)),
            Integer.parseInt(where.substring(colon + 1)));
      } else {
        a = UnixDomainSocketAddress.of(Path.of(where));
      }
      assertThatThrownBy(() -> Client.connect(a, "not-the-key".getBytes(StandardCharsets.US_ASCII)))
          .isInstanceOf(AuthenticationException.class).hasMessage("digest sent was rejected");
      assertThat(py.out.await("rejected: ", Waits.JOIN)).isEqualTo("rejected: digest received was wrong");
      try (Connection c = Client.connect(a, KEY)) {
        c.sendBytes("abc".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(c.recvBytes(), StandardCharsets.US_ASCII)).isEqualTo("ABC");
        assertThat(c.recvBytes()).isEmpty();
        byte[] big = new byte[70_000];
        big[69_999] = 9;
        c.sendBytes(big);
        assertThat(c.recvBytes()).isEqualTo(big);
        c.sendBytes(new byte[0]);
      }
      py.assertSucceeds();
    }
  }
}
