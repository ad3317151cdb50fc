package io.github.multiprocessing4j.managers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Waits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * A proxy's copy of its object (CPython's {@code _getvalue()}) and the copies a managed dict's
 * views come back as, which are taken under the dict's lock.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerParityTest {

  private static SharedManager shared;
  private static SyncManager manager;

  @BeforeAll
  static void startManager(TestInfo info) {
    shared = SharedManager.start(info);
    manager = shared.manager;
  }

  @AfterAll
  static void stopManager() throws InterruptedException {
    shared.stop();
  }

  @Test
  @SuppressWarnings("unchecked")
  void referentCopyIsADetachedCopyOfTheObject() {
    Map<String, Integer> d = manager.dict(Map.of("a", 1));
    Object dictCopy = ((BaseProxy) d).referentCopy();
    assertThat(dictCopy).isInstanceOf(LinkedHashMap.class).isEqualTo(Map.of("a", 1));
    ((Map<String, Integer>) dictCopy).put("b", 2); // the copy only
    assertThat(d).doesNotContainKey("b");

    List<String> l = manager.list(List.of("x", "y"));
    assertThat(((BaseProxy) l).referentCopy()).isInstanceOf(ArrayList.class).isEqualTo(List.of("x", "y"));

    Namespace ns = manager.namespace();
    ns.set("x", 1);
    Namespace nsCopy = (Namespace) ((BaseProxy) ns).referentCopy();
    assertThat(nsCopy).isNotInstanceOf(BaseProxy.class);
    assertThat(nsCopy.get("x")).isEqualTo(1);
    nsCopy.set("x", 2);
    assertThat(ns.get("x")).isEqualTo(1);
  }

  @Test
  void referentCopyOfAnObjectJavaCannotSerializeIsARemoteErrorNamingItsClass() {
    AcquirerProxy lock = manager.lock();
    assertThatThrownBy(((BaseProxy) lock)::referentCopy).isInstanceOf(RemoteError.class)
        .hasMessageContaining(ManagedLock.class.getName());
    assertThat(lock.acquire()).as("the proxy still works").isTrue();
    lock.release();
  }

  @Test
  void aDictsViewsAreCopiedUnderItsLockWhileOtherClientsChangeIt() throws Exception {
    Map<Integer, Integer> d = manager.dict();
    int writers = 2;
    int keys = 3000;
    CountDownLatch started = new CountDownLatch(writers);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int first = w * keys;
      Thread t = new Thread(() -> {
        started.countDown();
        try {
          for (int k = first; k < first + keys; k++) {
            d.put(k, k); // each thread calls over its own connection: the server changes the map meanwhile
          }
        } catch (Throwable e) {
          failed.compareAndSet(null, e);
        }
      }, "writer-" + w);
      t.start();
      threads.add(t);
    }
    assertThat(started.await(Waits.JOIN.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    int copies = 0;
    while (threads.stream().anyMatch(Thread::isAlive)) {
      // a copy iterates the map: without the lock, a put in between fails it (ConcurrentModificationException)
      assertThat(new ArrayList<>(d.keySet())).doesNotHaveDuplicates();
      assertThat(d.entrySet()).allSatisfy(e -> assertThat(e.getKey()).isEqualTo(e.getValue()));
      assertThat(((BaseProxy) d).referentCopy()).isInstanceOf(LinkedHashMap.class);
      copies++;
    }
    for (Thread t : threads) {
      t.join(Waits.JOIN.toMillis());
    }
    assertThat(failed.get()).isNull();
    assertThat(d).hasSize(writers * keys);
    assertThat(copies).isPositive();
  }
}
