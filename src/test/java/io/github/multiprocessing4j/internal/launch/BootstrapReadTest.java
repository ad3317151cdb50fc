package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A child reads its bootstrap frame from an unbuffered stdin, which it must not read past (the rest
 * of stdin is the parent watcher's). Read field by field, every length prefix and {@code readInt}
 * byte was a system call: about 40 reads for a trivial process, a measurable part of a warm start.
 */
final class BootstrapReadTest {

  /** Counts the read calls that reach the stream, as system calls would on a pipe. */
  private static final class CountingStream extends InputStream {
    private final InputStream in;
    int reads;

    CountingStream(byte[] bytes) {
      this.in = new ByteArrayInputStream(bytes);
    }

    @Override
    public int read() throws IOException {
      reads++;
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      reads++;
      return in.read(b, off, len);
    }
  }

  private static Bootstrap sample(byte[] argument) {
    Bootstrap b = new Bootstrap();
    b.name = "Process-7";
    b.identity = new int[] {7};
    b.daemon = true;
    b.authkey = new byte[32];
    Arrays.fill(b.authkey, (byte) 5);
    b.parentPid = 4242;
    b.parentName = "MainProcess";
    b.statusFile = "/tmp/x/child-1.status";
    b.utf8Stdout = true;
    b.startMethod = "forkserver";
    b.targetKind = Bootstrap.TARGET_CLASS;
    b.targetClass = "a.b.Target";
    b.encodedArgs = Bootstrap.encodeArgs(List.of(argument), Map.of());
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void aSmallFrameIsReadInThreeReadsAndNotPastItsEnd() throws IOException {
    byte[] frame = sample(new byte[] {1, 2, 3}).toFrame();
    byte[] after = {9, 8, 7};
    CountingStream in = new CountingStream(concat(frame, after));

    Bootstrap b = Bootstrap.read(in);

    assertThat(in.reads).as("reads of a %d-byte frame", frame.length).isLessThanOrEqualTo(3);
    assertThat(in.in.readAllBytes()).as("what follows the frame").containsExactly(after);
    assertThat(b.name).isEqualTo("Process-7");
    assertThat(b.identity).containsExactly(7);
    assertThat(b.daemon).isTrue();
    assertThat(b.parentPid).isEqualTo(4242);
    assertThat(b.statusFile).isEqualTo("/tmp/x/child-1.status");
    assertThat(b.startMethod).isEqualTo("forkserver");
    assertThat(b.targetClass).isEqualTo("a.b.Target");
    List<Object> args = new ArrayList<>();
    b.decodeArgs(args, new HashMap<>());
    assertThat((byte[]) args.get(0)).containsExactly(1, 2, 3);
  }

  @Test
  void aFrameLargerThanOnePieceIsReadFieldByFieldIntactAndNotPastItsEnd() throws IOException {
    byte[] big = new byte[Bootstrap.SMALL_FRAME + 1000];
    Arrays.fill(big, (byte) 3);
    byte[] frame = sample(big).toFrame();
    byte[] after = {9};
    CountingStream in = new CountingStream(concat(frame, after));

    Bootstrap b = Bootstrap.read(in);

    assertThat(in.in.readAllBytes()).containsExactly(after);
    assertThat(b.statusFile).isEqualTo("/tmp/x/child-1.status");
    List<Object> args = new ArrayList<>();
    b.decodeArgs(args, new HashMap<>());
    assertThat((byte[]) args.get(0)).isEqualTo(big);
  }

  @Test
  void aTruncatedFrameIsAnEndOfStreamNotAHang() {
    byte[] frame = sample(new byte[] {1}).toFrame();
    byte[] cut = Arrays.copyOf(frame, frame.length - 5);

    assertThatThrownBy(() -> Bootstrap.read(new ByteArrayInputStream(cut))).isInstanceOf(EOFException.class);
  }

  @Test
  void anEmptyStdinSaysTheClassIsNotStartedByHand() {
    assertThatThrownBy(() -> Bootstrap.read(new ByteArrayInputStream(new byte[0])))
        .isInstanceOf(EOFException.class).hasMessageContaining("not by hand");
  }
}
