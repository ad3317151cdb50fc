package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.codec.ValueCodec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * How a child ended, as the child writes it into its status file in the parent's private
 * {@link RuntimeDir} and the parent reads it after the exit.
 *
 * <p>The file exists only when the exit code alone is ambiguous or carries less than the parent
 * wants: an uncaught exception (the parent gets a {@link RemoteFailure}), or an exit that went
 * through the JVM's shutdown sequence with a code the child's main did not choose
 * ({@code System.exit(n)} in user code). Without the file, an exit status of {@code 128+N} means
 * the child was killed by signal {@code N}; with it, it is an ordinary exit code. A child that ends
 * normally writes nothing, so the common path costs no I/O.
 */
public final class ExitReport {

  private static final int ORDERLY = 'O';
  private static final int FAILURE = 'F';

  private final boolean orderly;
  private final RemoteFailure failure;

  private ExitReport(boolean orderly, RemoteFailure failure) {
    this.orderly = orderly;
    this.failure = failure;
  }

  /** Tells whether the child went through an orderly exit (so {@code 128+N} is not a signal). */
  public boolean orderly() {
    return orderly;
  }

  /** The child's uncaught exception, or {@code null}. */
  public RemoteFailure failure() {
    return failure;
  }

  /**
   * Records, in the child, an orderly exit whose code the child's main did not choose.
   *
   * @param file the status file
   */
  public static void writeOrderly(String file) {
    write(file, new byte[] {ORDERLY});
  }

  /**
   * Records, in the child, an uncaught exception (which implies an orderly exit with code 1).
   *
   * @param file the status file
   * @param error the exception
   */
  public static void writeFailure(String file, Throwable error) {
    write(file, describe(error));
  }

  /**
   * Describes an exception portably: its class name, message, printed stack trace and frames,
   * readable by {@link #remote(byte[], int, String)} where the class itself may be missing.
   *
   * @param error the exception
   * @return the description, starting with a marker byte
   */
  public static byte[] describe(Throwable error) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(2048);
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      out.writeByte(FAILURE);
      ValueCodec.writeString(out, error.getClass().getName());
      out.writeBoolean(error.getMessage() != null);
      if (error.getMessage() != null) {
        ValueCodec.writeString(out, error.getMessage());
      }
      StringWriter trace = new StringWriter();
      error.printStackTrace(new PrintWriter(trace));
      ValueCodec.writeString(out, trace.toString());
      StackTraceElement[] frames = error.getStackTrace();
      out.writeInt(frames.length);
      for (StackTraceElement f : frames) {
        ValueCodec.writeString(out, f.getClassName());
        ValueCodec.writeString(out, f.getMethodName());
        ValueCodec.writeString(out, f.getFileName() == null ? "" : f.getFileName());
        out.writeInt(f.getLineNumber());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot happen: in-memory stream", e);
    }
    return bytes.toByteArray();
  }

  private static void write(String file, byte[] content) {
    // java.io, not NIO: already loaded in every JVM, so the child's exit path stays cheap.
    try (FileOutputStream out = new FileOutputStream(file)) {
      out.write(content);
    } catch (IOException e) {
      // The parent is gone (and its directory with it) or the disk is full: the exit code still
      // tells most of the story, and nobody is left to tell about this failure.
    }
  }

  /**
   * Reads and deletes the status file, in the parent.
   *
   * @param file the status file
   * @param where describes the child for a {@link RemoteFailure}
   * @return the report; not orderly and without failure if the child wrote none
   */
  public static ExitReport readAndDelete(Path file, String where) {
    if (!file.toFile().exists()) {
      // The common case (a child that ended normally writes nothing), without the exception
      // Files.readAllBytes would construct for it on the parent's join path.
      return new ExitReport(false, null);
    }
    byte[] content;
    try {
      content = Files.readAllBytes(file);
      Files.deleteIfExists(file);
    } catch (NoSuchFileException e) {
      return new ExitReport(false, null);
    } catch (IOException e) {
      return new ExitReport(false, null);
    }
    if (content.length == 0) {
      return new ExitReport(false, null);
    }
    if (content[0] == ORDERLY) {
      return new ExitReport(true, null);
    }
    RemoteFailure failure = remote(content, 0, where);
    // A truncated report (child killed while writing it) still proves an orderly exit began.
    return new ExitReport(true, failure);
  }

  /**
   * Reads a description written by {@link #describe(Throwable)}.
   *
   * @param content the bytes
   * @param offset where the description starts (its marker byte)
   * @param where describes the process it came from, for the message
   * @return the remote failure, or {@code null} if the description is truncated or corrupt
   */
  public static RemoteFailure remote(byte[] content, int offset, String where) {
    if (content.length <= offset || content[offset] != FAILURE) {
      return null;
    }
    try {
      DataInputStream in = new DataInputStream(
          new ByteArrayInputStream(content, offset + 1, content.length - offset - 1));
      String className = ValueCodec.readString(in);
      String message = in.readBoolean() ? ValueCodec.readString(in) : null;
      String trace = ValueCodec.readString(in);
      int n = in.readInt();
      if (n < 0 || n > 100_000) {
        throw new IOException("bad frame count " + n);
      }
      StackTraceElement[] frames = new StackTraceElement[n];
      for (int i = 0; i < n; i++) {
        String cls = ValueCodec.readString(in);
        String method = ValueCodec.readString(in);
        String fileName = ValueCodec.readString(in);
        frames[i] = new StackTraceElement(cls, method, fileName.isEmpty() ? null : fileName, in.readInt());
      }
      return new RemoteFailure(className, message, trace, frames, where);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
