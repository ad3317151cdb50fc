package io.github.multiprocessing4j.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * One pool task on its way to a member: the pool protocol's messages as bytes, never decoded by the
 * member's JVM (its worker JVMs decode them, through the library's filter). The member's answer,
 * the worker's OK or ERROR message, travels back as bytes too.
 */
final class ClusterTask implements Callable<byte[]>, Serializable, HazelcastInstanceAware {

  private static final long serialVersionUID = 1L;

  private final byte[] function;
  private final byte[] task;
  private transient HazelcastInstance member;

  ClusterTask(byte[] function, byte[] task) {
    this.function = function;
    this.task = task;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance instance) {
    this.member = instance;
  }

  @Override
  public byte[] call() throws Exception {
    return LocalWorkers.of(member).run(function, task);
  }
}
