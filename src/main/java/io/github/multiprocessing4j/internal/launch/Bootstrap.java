package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.codec.ValueCodec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StreamCorruptedException;
import java.util.List;
import java.util.Map;

/**
 * Everything a child needs to become the process its parent started, as one versioned frame
 * written to the child's stdin: {@code MAGIC, VERSION, length, body}.
 *
 * <p>The authkey travels here and nowhere else: never on a command line, never in a file.
 */
public final class Bootstrap {

  /** The thread decoding a bootstrap's arguments in a child, while it does: see {@link Handoffs#fromParent()}. */
  static volatile Thread decodingThread;

  /** "MP4J". */
  public static final int MAGIC = 0x4D50344A;
  /** Bumped on any incompatible change of the body. */
  public static final int VERSION = 5;
  /** A frame larger than this is refused: a corrupt length must not allocate gigabytes. */
  public static final int MAX_FRAME = 1 << 30;
  /** A frame up to this size is read in one piece; a larger one field by field (see {@link TooLarge}). */
  static final int SMALL_FRAME = 64 * 1024;

  /** The target is a class name to instantiate. */
  public static final int TARGET_CLASS = 1;
  /** The target is a serialized {@code Target} instance or lambda. */
  public static final int TARGET_OBJECT = 2;
  /** No target: {@code run()} does nothing. */
  public static final int TARGET_NONE = 0;

  public String name;
  public int[] identity;
  public boolean daemon;
  public byte[] authkey;
  public long parentPid;
  public String parentName;
  /** Where the child reports how it ended (see {@link ExitReport}). */
  public String statusFile;
  public boolean utf8Stdout;
  public boolean utf8Stderr;
  /** How the child was started: {@code "spawn"} or {@code "forkserver"}. */
  public String startMethod;
  /** The CPython class a context's process shows in its repr ({@code SpawnProcess}), or null. */
  public String typeName;
  public int targetKind;
  /** Class name for {@link #TARGET_CLASS}. */
  public String targetClass;
  /** The target object of {@link #TARGET_OBJECT}, in {@code ValueCodec}'s form (a lambda compact). */
  public byte[] targetObject;
  /** The serialized {@code Process} subclass whose {@code run()} the child calls, or null. */
  public byte[] processObject;
  /** Encoded with {@link ValueCodec} in the parent; decoded lazily in the child. */
  public byte[] encodedArgs;

  /**
   * Encodes positional and keyword arguments, failing in the caller's thread for a value that
   * cannot be sent.
   *
   * @param args positional arguments
   * @param kwargs keyword arguments
   * @return the encoded arguments
   * @throws IllegalArgumentException naming the argument that cannot be serialized
   */
  public static byte[] encodeArgs(List<Object> args, Map<String, Object> kwargs) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      out.writeInt(args.size());
      for (int i = 0; i < args.size(); i++) {
        ValueCodec.write(out, args.get(i), "argument #" + i);
      }
      out.writeInt(kwargs.size());
      for (Map.Entry<String, Object> e : kwargs.entrySet()) {
        ValueCodec.writeString(out, e.getKey());
        ValueCodec.write(out, e.getValue(), "keyword argument '" + e.getKey() + "'");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot happen: in-memory stream", e);
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes the arguments in the child.
   *
   * @param positional receives the positional arguments
   * @param keywords receives the keyword arguments
   * @throws IOException if a value cannot be deserialized here
   */
  public void decodeArgs(List<Object> positional, Map<String, Object> keywords) throws IOException {
    decodingThread = Thread.currentThread();
    try {
      decodeArgs(new DataInputStream(new ByteArrayInputStream(encodedArgs)), positional, keywords);
    } finally {
      decodingThread = null;
    }
  }

  private static void decodeArgs(DataInputStream in, List<Object> positional, Map<String, Object> keywords)
      throws IOException {
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      positional.add(ValueCodec.read(in, "argument #" + i));
    }
    int k = in.readInt();
    for (int i = 0; i < k; i++) {
      String key = ValueCodec.readString(in);
      keywords.put(key, ValueCodec.read(in, "keyword argument '" + key + "'"));
    }
  }

  /**
   * Encodes the whole frame, header included.
   *
   * @return the frame
   */
  public byte[] toFrame() {
    ByteArrayOutputStream body = new ByteArrayOutputStream(256 + encodedArgs.length);
    DataOutputStream out = new DataOutputStream(body);
    try {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(0); // length, patched below
      ValueCodec.writeString(out, name);
      out.writeInt(identity.length);
      for (int i : identity) {
        out.writeInt(i);
      }
      out.writeBoolean(daemon);
      ValueCodec.writeBytes(out, authkey);
      out.writeLong(parentPid);
      ValueCodec.writeString(out, parentName);
      ValueCodec.writeString(out, statusFile);
      out.writeBoolean(utf8Stdout);
      out.writeBoolean(utf8Stderr);
      ValueCodec.writeString(out, startMethod);
      ValueCodec.writeString(out, typeName == null ? "" : typeName);
      out.writeByte(targetKind);
      if (targetKind == TARGET_CLASS) {
        ValueCodec.writeString(out, targetClass);
      } else if (targetKind != TARGET_NONE) {
        ValueCodec.writeBytes(out, targetObject);
      }
      out.writeBoolean(processObject != null);
      if (processObject != null) {
        ValueCodec.writeBytes(out, processObject);
      }
      ValueCodec.writeBytes(out, encodedArgs);
    } catch (IOException e) {
      throw new IllegalStateException("cannot happen: in-memory stream", e);
    }
    byte[] frame = body.toByteArray();
    int length = frame.length - 12;
    frame[8] = (byte) (length >>> 24);
    frame[9] = (byte) (length >>> 16);
    frame[10] = (byte) (length >>> 8);
    frame[11] = (byte) length;
    return frame;
  }

  /**
   * Reads a frame from the child's stdin.
   *
   * @param stdin the raw standard input
   * @return the bootstrap
   * @throws IOException if the stream ends early or the frame is not one of ours
   */
  public static Bootstrap read(InputStream stdin) throws IOException {
    // Whole fields with readFully, not readInt: stdin is unbuffered (it must not read past the
    // frame), and readInt reads byte by byte, a system call each.
    DataInputStream head = new DataInputStream(stdin);
    byte[] header = new byte[12];
    int magic;
    try {
      head.readFully(header, 0, 4);
      magic = intAt(header, 0);
    } catch (EOFException e) {
      throw new EOFException("standard input ended before the bootstrap frame: this class is started by "
          + "io.github.multiprocessing4j.Process, not by hand");
    }
    if (magic != MAGIC) {
      throw new StreamCorruptedException("standard input does not start with a bootstrap frame (magic 0x"
          + Integer.toHexString(magic) + "): this class is started by io.github.multiprocessing4j.Process");
    }
    head.readFully(header, 4, 8);
    int version = intAt(header, 4);
    if (version != VERSION) {
      throw new StreamCorruptedException("bootstrap frame version " + version + ", this library reads "
          + VERSION + ": parent and child use different multiprocessing4j versions");
    }
    int length = intAt(header, 8);
    if (length < 0 || length > MAX_FRAME) {
      throw new StreamCorruptedException("bad bootstrap frame length " + length);
    }
    DataInputStream in;
    if (length <= SMALL_FRAME) {
      // The common frame in one read: field by field, every length prefix would be a system call.
      byte[] body = new byte[length];
      head.readFully(body);
      in = new DataInputStream(new ByteArrayInputStream(body));
    } else {
      // A large one field by field from the stream, not into one array first: the status file comes
      // before the arguments, so that a child whose arguments do not fit its heap can still say so there.
      in = new DataInputStream(new BoundedInputStream(head, length));
    }
    Bootstrap b = new Bootstrap();
    try {
      readBody(in, b);
    } catch (OutOfMemoryError e) {
      throw new TooLarge(b.statusFile, length, e);
    } catch (RuntimeException e) {
      StreamCorruptedException sce = new StreamCorruptedException("corrupt bootstrap frame: " + e);
      sce.initCause(e);
      throw sce;
    }
    return b;
  }

  private static int intAt(byte[] b, int at) {
    return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
  }

  /**
   * The frame did not fit this JVM's heap.
   */
  public static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;
    /** Where the child reports how it ended, if it was read before memory ran out; or null. */
    public final transient String statusFile;

    TooLarge(String statusFile, int length, OutOfMemoryError e) {
      super("the bootstrap frame of " + length + " bytes (the process's arguments, target and "
          + "process object) does not fit this child's heap: " + e.getMessage()
          + "; give the child more heap (Process.builder().jvmOptions(\"-Xmx...\")) or pass less", e);
      this.statusFile = statusFile;
    }
  }

  private static void readBody(DataInputStream in, Bootstrap b) throws IOException {
    b.name = ValueCodec.readString(in);
    int levels = in.readInt();
    if (levels < 0 || levels > 10_000) {
      throw new StreamCorruptedException("corrupt bootstrap frame: an identity of " + levels + " levels");
    }
    b.identity = new int[levels];
    for (int i = 0; i < b.identity.length; i++) {
      b.identity[i] = in.readInt();
    }
    b.daemon = in.readBoolean();
    b.authkey = ValueCodec.readBytes(in);
    b.parentPid = in.readLong();
    b.parentName = ValueCodec.readString(in);
    b.statusFile = ValueCodec.readString(in);
    b.utf8Stdout = in.readBoolean();
    b.utf8Stderr = in.readBoolean();
    b.startMethod = ValueCodec.readString(in);
    String type = ValueCodec.readString(in);
    b.typeName = type.isEmpty() ? null : type;
    b.targetKind = in.readUnsignedByte();
    if (b.targetKind == TARGET_CLASS) {
      b.targetClass = ValueCodec.readString(in);
    } else if (b.targetKind != TARGET_NONE) {
      b.targetObject = ValueCodec.readBytes(in);
    }
    if (in.readBoolean()) {
      b.processObject = ValueCodec.readBytes(in);
    }
    b.encodedArgs = ValueCodec.readBytes(in);
  }

  /** At most {@code limit} bytes of a stream: a frame's fields cannot read past its end. */
  private static final class BoundedInputStream extends InputStream {
    private final InputStream in;
    private long left;

    BoundedInputStream(InputStream in, long limit) {
      this.in = in;
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int c = in.read();
      if (c >= 0) {
        left--;
      }
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(in.available(), left);
    }
  }
}
