package io.github.multiprocessing4j.internal.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.connection.Connection;
import io.github.multiprocessing4j.connection.Pipe;
import io.github.multiprocessing4j.internal.access.ObjectRef.Kind;
import io.github.multiprocessing4j.internal.access.ObjectRef.Owner;
import io.github.multiprocessing4j.queues.JoinableQueue;
import io.github.multiprocessing4j.queues.Queue;
import io.github.multiprocessing4j.queues.SimpleQueue;
import io.github.multiprocessing4j.shared.RawArray;
import io.github.multiprocessing4j.shared.RawValue;
import io.github.multiprocessing4j.shared.ShareableList;
import io.github.multiprocessing4j.shared.SharedMemory;
import io.github.multiprocessing4j.sync.Barrier;
import io.github.multiprocessing4j.sync.BoundedSemaphore;
import io.github.multiprocessing4j.sync.Condition;
import io.github.multiprocessing4j.sync.Event;
import io.github.multiprocessing4j.sync.Lock;
import io.github.multiprocessing4j.sync.RLock;
import io.github.multiprocessing4j.sync.Semaphore;
import io.github.multiprocessing4j.testing.Waits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The one serialized form of everything sent by name: every kind round-trips as an
 * {@link ObjectRef} (and as no other class of the library), a child that has used none of the
 * owners' packages resolves each, and a reference the library did not write is refused with an
 * {@link InvalidObjectException}, never a {@link ClassCastException} or a
 * {@link NullPointerException}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ObjectRefTest {

  // ---- round trips in one JVM

  @Test
  void everySyncObjectRoundTripsToItselfAsAnObjectRef() throws Exception {
    Lock lock = new Lock();
    RLock rlock = new RLock();
    Condition cond = new Condition(rlock);
    Object[] objects = {lock, rlock, new Event(), new Semaphore(2), new BoundedSemaphore(1), new Condition(lock), cond,
        new Barrier(2, null, Duration.ofSeconds(5))};
    for (Object o : objects) {
      assertThat(roundTrip(o)).as("%s", o).isSameAs(o);
    }
  }

  @Test
  void everySharedObjectRoundTripsToTheSameMemory() throws Exception {
    SharedMemory shm = SharedMemory.create(64);
    ShareableList list = ShareableList.create(List.of(1, "two"));
    try {
      SharedMemory shm2 = (SharedMemory) roundTrip(shm);
      shm.buf().put(3, (byte) 42);
      assertThat(shm2.name()).isEqualTo(shm.name());
      assertThat(shm2.buf().get(3)).isEqualTo((byte) 42);
      shm2.close();

      ShareableList list2 = (ShareableList) roundTrip(list);
      assertThat(list2.get(1)).isEqualTo("two");
      list2.shm().close();

      RawValue value = RawValue.create('i', 5);
      RawValue value2 = (RawValue) roundTrip(value);
      value.set(7);
      assertThat(value2.get()).isEqualTo(7);

      RawArray array = RawArray.of('d', 1.5, 2.5);
      assertThat(roundTrip(array)).hasToString(array.toString());
    } finally {
      shm.close();
      shm.unlink();
      list.shm().close();
      list.shm().unlink();
    }
  }

  @Test
  void everyQueueRoundTripsToItselfInItsCreator() throws Exception {
    try (Queue<String> queue = new Queue<>(3); JoinableQueue<String> joinable = new JoinableQueue<>()) {
      assertThat(roundTrip(queue)).isSameAs(queue);
      assertThat(roundTrip(joinable)).isSameAs(joinable);
    }
    SimpleQueue<String> simple = new SimpleQueue<>();
    try {
      @SuppressWarnings("unchecked")
      SimpleQueue<String> simple2 = (SimpleQueue<String>) roundTrip(simple);
      simple.put("x");
      assertThat(simple2.get()).isEqualTo("x"); // the same queue underneath
    } finally {
      simple.close();
    }
  }

  @Test
  void aPipeEndRoundTripsToItself() throws Exception {
    Pipe pipe = Pipe.open();
    try (Connection a = pipe.conn1(); Connection b = pipe.conn2()) {
      assertThat(roundTrip(b)).isSameAs(b);
      assertThat(roundTrip(a)).isSameAs(a);
    }
  }

  @Test
  void everyOwnerNamesAClassThatRegistersItsResolver() throws Exception {
    Set<Owner> owners = EnumSet.noneOf(Owner.class);
    for (Kind k : Kind.values()) {
      owners.add(k.owner());
    }
    assertThat(owners).as("owners with a kind").containsExactlyInAnyOrder(Owner.values());
    for (Owner o : Owner.values()) {
      Class<?> c = Class.forName(o.registrar(), true, ObjectRef.class.getClassLoader());
      assertThat(c.getPackageName()).startsWith("io.github.multiprocessing4j.");
      assertThat(c.getPackageName()).doesNotContain(".internal");
    }
    assertThatThrownBy(() -> ObjectRef.register(Owner.SYNC, ObjectRefTest.class, ref -> null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not the registrar of SYNC");
  }

  // ---- a JVM that never used the owners' packages

  /** Reads each reference, as the first thing it does with their packages, and uses each. */
  static void readFirst(Args args) throws Exception {
    Lock lock = (Lock) deserialize(args.get(0, byte[].class));
    SharedMemory shm = (SharedMemory) deserialize(args.get(1, byte[].class));
    @SuppressWarnings("unchecked")
    Queue<String> queue = (Queue<String>) deserialize(args.get(2, byte[].class));
    Connection end = (Connection) deserialize(args.get(3, byte[].class));
    if (!lock.acquire(false, null)) {
      throw new AssertionError("the parent holds no lock");
    }
    lock.release();
    queue.put("shm " + shm.buf().get(0));
    end.send("pipe");
    shm.close();
  }

  @Test
  void aChildResolvesEachOwnersReferenceBeforeUsingItsPackage() throws Exception {
    Lock lock = new Lock();
    SharedMemory shm = SharedMemory.create(8);
    Pipe pipe = Pipe.open();
    try (Queue<String> queue = new Queue<>(); Connection a = pipe.conn1(); Connection b = pipe.conn2()) {
      shm.buf().put(0, (byte) 9);
      Process p = Process.builder().target(ObjectRefTest::readFirst)
          .args(serialize(lock), serialize(shm), serialize(queue), serialize(b)).build();
      p.start();
      p.join(Waits.JOIN);
      assertThat(p.exitCode()).isZero();
      assertThat(queue.get(Waits.JOIN)).isEqualTo("shm 9");
      assertThat(a.poll(Waits.JOIN)).isTrue();
      assertThat(a.recv()).isEqualTo("pipe");
    } finally {
      shm.close();
      shm.unlink();
    }
  }

  // ---- references the library did not write

  @Test
  void anUnknownKindIsRefused() throws Exception {
    byte[] forged = replace(serialize(ObjectRef.of(Kind.LOCK, "mp4j-none")), "LOCK", "LOAK");
    assertThatThrownBy(() -> deserialize(forged)).isExactlyInstanceOf(InvalidObjectException.class)
        .hasMessageContaining("not a reference to a multiprocessing4j object: LOAK");
  }

  @Test
  void referencesWithMissingOrWrongFieldsAreRefused() {
    ObjectRef[] forged = {
        ObjectRef.of(Kind.QUEUE, "127.0.0.1:1"),
        ObjectRef.of(Kind.QUEUE, "127.0.0.1:1", 1, 2),
        ObjectRef.of(Kind.JOINABLE_QUEUE, "127.0.0.1:1", 1, 2, -1),
        ObjectRef.of(Kind.SIMPLE_QUEUE, "127.0.0.1:1", 1, 2, 1L << 40),
        ObjectRef.of(Kind.PIPE_END, "/nowhere/state", 0, 1, 1),
        ObjectRef.of(Kind.PIPE_END, "/nowhere/state", "/nowhere/ring", 2, 1, 1),
        ObjectRef.of(Kind.PIPE_END, "/nowhere/state", "/nowhere/ring", 0, 0, 0),
        ObjectRef.of(Kind.PIPE_END, "/nowhere/state", "/nowhere/ring", 0, 7, 1),
        ObjectRef.of(Kind.PIPE_END, "/nowhere/state", "/nowhere/ring"),
        ObjectRef.of(Kind.SHARED_MEMORY, "mp4j-none", 0),
        ObjectRef.of(Kind.SHARED_MEMORY, "mp4j-none"),
        ObjectRef.of(Kind.RAW_VALUE, "mp4j-none", 1L << 20, 1),
        ObjectRef.of(Kind.RAW_ARRAY, "mp4j-none", 'i'),
        ObjectRef.withParts(Kind.CONDITION, "mp4j-none", null, null),
        ObjectRef.withParts(Kind.CONDITION, "mp4j-none", "not a lock", null),
        ObjectRef.withParts(Kind.CONDITION, "mp4j-none"),
        ObjectRef.withParts(Kind.BARRIER, "mp4j-none", null, null, null),
        ObjectRef.withParts(Kind.BARRIER, "mp4j-none", 42),
        ObjectRef.of(Kind.BARRIER, "mp4j-none", 1, 2, 3),
        ObjectRef.withParts(Kind.MANAGED_PROXY, "unix:/nowhere"),
        ObjectRef.withParts(Kind.MANAGED_PROXY, "unix:/nowhere", "T", "java.util.Map", "not a long", null),
        ObjectRef.withParts(Kind.MANAGED_PROXY, "unix:/nowhere", "T", "java.lang.String", 1L, null),
        ObjectRef.withParts(Kind.MANAGED_PROXY, "unix:/nowhere", "T", "java.util.Map", 1L),
        ObjectRef.withParts(Kind.MANAGED_PROXY, "unix:/nowhere", "T", "java.util.Map", 1L, null),
        ObjectRef.of(Kind.MANAGED_PROXY, "unix:/nowhere", 1),
    };
    for (ObjectRef ref : forged) {
      assertThatThrownBy(() -> deserialize(serialize(ref))).as("%s", ref)
          .isExactlyInstanceOf(InvalidObjectException.class)
          .hasMessage("not a " + ref.kind().what() + " reference");
    }
  }

  // ---- helpers

  private static Object roundTrip(Object o) throws Exception {
    byte[] bytes = serialize(o);
    String stream = new String(bytes, StandardCharsets.ISO_8859_1);
    assertThat(stream).as("the stream of %s", o).contains(ObjectRef.class.getName())
        .doesNotContain("$Ref").doesNotContain("SyncRef").doesNotContain("SharedRef");
    return deserialize(bytes);
  }

  private static byte[] serialize(Object o) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  private static Object deserialize(byte[] b) throws Exception {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
      return in.readObject();
    }
  }

  private static byte[] replace(byte[] in, String from, String to) {
    String s = new String(in, StandardCharsets.ISO_8859_1);
    assertThat(s).contains(from);
    return s.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
  }
}
