package io.github.multiprocessing4j.managers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.Args;
import io.github.multiprocessing4j.Process;
import io.github.multiprocessing4j.testing.Waits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SyncManager's dict, list and Namespace (§B.6), shared by children, nested, copied. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class SyncManagerTest {

  @SuppressWarnings("unchecked")
  static void useAll(Args args) {
    Map<String, Integer> d = args.get(0, Map.class);
    List<Integer> l = args.get(1, List.class);
    Namespace ns = args.get(2, Namespace.class);
    int i = args.getInt(3);
    d.put("child" + i, i);
    l.add(i);
    ns.set("last", i);
  }

  @Test
  void aDictAListAndANamespaceAreSharedByThreeChildren() throws Exception {
    try (SyncManager m = new SyncManager()) {
      m.start();
      assertThat(m.serverProcess().name()).matches("SyncManager-\\d+");
      Map<String, Integer> d = m.dict();
      List<Integer> l = m.list();
      Namespace ns = m.namespace();
      List<Process> ps = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Process p = Process.builder().target(SyncManagerTest::useAll).args(d, l, ns, i).build();
        p.start();
        ps.add(p);
      }
      for (Process p : ps) {
        assertThat(p.join(Waits.LONG)).isTrue();
        assertThat(p.exitCode()).isZero();
      }
      assertThat(new HashMap<>(d)).isEqualTo(Map.of("child0", 0, "child1", 1, "child2", 2));
      assertThat(l).hasSize(3); // size() is a call; iteration below walks a copy
      assertThat(l.stream().sorted().collect(Collectors.toList())).containsExactly(0, 1, 2);
      assertThat(ns.get("last")).isIn(0, 1, 2);
      assertThat(ns.asMap()).containsOnlyKeys("last");
      assertThatThrownBy(() -> ns.get("missing")).isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("'Namespace' object has no attribute 'missing'");
    }
  }

  @Test
  void resultsAreCopiesAndAStoredProxyIsAProxyWhenReadBack() {
    try (SyncManager m = new SyncManager()) {
      m.start();
      Map<String, Object> d = m.dict();
      d.put("a", new ArrayList<>(List.of(1)));
      @SuppressWarnings("unchecked")
      List<Integer> copy = (List<Integer>) d.get("a");
      copy.add(2); // changes the copy only
      assertThat(d.get("a")).isEqualTo(List.of(1));
      d.put("a", copy); // re-assign
      assertThat(d.get("a")).isEqualTo(List.of(1, 2));

      Map<String, Integer> supplies = m.dict(Map.of("blankets", 1));
      d.put("supplies", supplies);
      @SuppressWarnings("unchecked")
      Map<String, Integer> inner = (Map<String, Integer>) d.get("supplies");
      inner.put("blankets", 5); // a proxy: the nested dict changes
      assertThat(supplies.get("blankets")).isEqualTo(5);

      assertThat(d.keySet()).containsExactly("a", "supplies");
      assertThat(d.entrySet()).hasSize(2);
      List<String> list = m.list(List.of("x", "y", "z"));
      list.remove(0); // remove(int), not remove(Object)
      assertThat(list.remove("z")).isTrue();
      assertThat(new ArrayList<>(list)).containsExactly("y");
      assertThat(list.subList(0, 1)).containsExactly("y");
      assertThat(list).isNotEqualTo(List.of("y")); // identity, as CPython's ==
      assertThatThrownBy(() -> list.get(5)).isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @SuppressWarnings("unchecked")
  static void produce(Args args) throws Exception {
    java.util.concurrent.BlockingQueue<String> q = args.get(0, java.util.concurrent.BlockingQueue.class);
    for (int i = 0; i < 3; i++) {
      q.put("item " + i);
    }
  }

  @Test
  void aManagedQueueCarriesItemsFromAChildAndWaitsInTheServer() throws Exception {
    try (SyncManager m = new SyncManager()) {
      m.start();
      java.util.concurrent.BlockingQueue<String> q = m.queue(2);
      assertThat(q.poll(10, TimeUnit.MILLISECONDS)).isNull(); // waited in the server, then empty
      Process p = Process.builder().target(SyncManagerTest::produce).args(q).build();
      p.start();
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        got.add(q.poll(Waits.JOIN.toMillis(), TimeUnit.MILLISECONDS));
      }
      assertThat(got).containsExactly("item 0", "item 1", "item 2");
      assertThat(p.join(Waits.JOIN)).isTrue();
      assertThat(p.exitCode()).isZero();
      assertThat(q.offer("a")).isTrue();
      assertThat(q.offer("b")).isTrue();
      assertThat(q.offer("c")).as("maxsize 2").isFalse();
      assertThat(q.remainingCapacity()).isZero();
    }
  }

  static void addTen(Args args) {
    @SuppressWarnings("unchecked")
    ValueProxy<Integer> v = args.get(0, ValueProxy.class);
    v.set(v.get() + 10);
  }

  @Test
  void aManagedValueIsSetByAChild() throws Exception {
    try (SyncManager m = new SyncManager()) {
      m.start();
      ValueProxy<Integer> v = m.value(5);
      Process p = Process.builder().target(SyncManagerTest::addTen).args(v).build();
      p.start();
      assertThat(p.join(Waits.LONG)).isTrue();
      assertThat(p.exitCode()).isZero();
      assertThat(v.get()).isEqualTo(15);
      assertThat(v.toString()).isEqualTo("Value(15)");
    }
  }

  @Test
  void aContextStartsAManagerAsCPythonsCtxManager() {
    try (SyncManager m = io.github.multiprocessing4j.Multiprocessing.getContext("forkserver").manager()) {
      assertThat(m.serverProcess().name()).startsWith("SyncManager-");
      Map<String, Integer> d = m.dict();
      d.put("a", 1);
      assertThat(d).containsExactly(Map.entry("a", 1));
      assertThatThrownBy(m::start).isInstanceOf(IllegalStateException.class)
          .hasMessage("Already started server");
    }
  }
}
