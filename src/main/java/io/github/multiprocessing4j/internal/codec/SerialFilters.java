package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.internal.launch.Bootstrap;
import io.github.multiprocessing4j.internal.runtime.Limits;

import java.io.ObjectInputFilter;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Set;

/**
 * The {@link ObjectInputFilter}s of the library's channels.
 *
 * <p>The bootstrap frame comes from the parent over the child's private stdin pipe, so it may carry
 * any class the user passes as an argument; its filter only bounds the graph (depth, references,
 * bytes) and defers to the JVM-wide filter ({@code jdk.serialFilter}, or
 * {@link ObjectInputFilter.Config#setSerialFilter}), through which users can restrict it further.
 *
 * <p>Pipes and queues carry messages between processes that may not trust each other as much;
 * their filter, {@link #channel()}, also refuses well-known deserialization gadgets.
 */
public final class SerialFilters {

  /** The deepest object graph the bootstrap frame's filter accepts. */
  static final long BOOTSTRAP_MAX_DEPTH = 10_000;
  private static final long MAX_REFERENCES = 50_000_000;
  private static final ObjectInputFilter BOOTSTRAP = new Bootstrap();

  /** The most objects (values, for compact messages) {@link #channel()} accepts in a message. */
  public static final long CHANNEL_MAX_REFERENCES = 10_000_000;

  private SerialFilters() {}

  /**
   * Returns the filter for values in the bootstrap frame.
   *
   * @return the filter
   */
  public static ObjectInputFilter bootstrap() {
    return BOOTSTRAP;
  }

  /**
   * Whether this JVM has initialised {@code ObjectInputFilter.Config} through the library (Java
   * serialization, or a compact message that asked it for the JVM-wide filter). Its initialiser
   * calls {@code System.getLogger}, so the JVM's logging backend has then been looked for, and
   * another {@code System.getLogger} (as {@code System.exit} makes on JDK 21 and later) costs
   * nothing more. Here, not in {@code JavaSerialization}: asking must not load Java
   * serialization's classes into a child that never used them.
   *
   * @return true if known initialised; false if not, or not by the library
   */
  public static boolean filterConfigInitialised() {
    return JvmWideFilter.configInitialised();
  }

  /**
   * Returns the default filter of pipes and queues. It rejects
   *
   * <ul>
   *   <li>a graph deeper than {@link Limits#maxDepth()} (1,000 by default),
   *   <li>more than {@value #CHANNEL_MAX_REFERENCES} objects in one message,
   *   <li>an array or collection of more than {@link Limits#maxMessageBytes()} elements (as many
   *       as a message may have bytes),
   *   <li>a short deny-list of well-known deserialization gadgets, among them
   *       {@code org.apache.commons.collections.functors.*} and
   *       {@code org.apache.commons.collections4.functors.*} (with subpackages), Xalan's
   *       {@code TemplatesImpl} (JDK-internal and Apache), Groovy's {@code ConvertedClosure} and
   *       {@code MethodClosure}, Spring's {@code ObjectFactory}, {@code UnicastRemoteObject},
   *       {@code RemoteObjectInvocationHandler}, {@code BadAttributeValueExpException},
   *       {@code JdbcRowSetImpl} and BeanShell's {@code XThis}; a class is rejected if it, one of
   *       its superclasses or interfaces, or its array component type is on the list,
   * </ul>
   *
   * <p>and otherwise defers to the JVM-wide filter ({@code jdk.serialFilter} or
   * {@link ObjectInputFilter.Config#setSerialFilter}), {@code UNDECIDED} if there is none. It sets
   * no limit on stream bytes: bounding the size of a message is the channel's job.
   *
   * @return the filter
   */
  public static ObjectInputFilter channel() {
    return Channel.INSTANCE;
  }

  /**
   * Combines two filters: a class is rejected if {@code first} rejects it, or if {@code then}
   * rejects it, whatever {@code first} said; it is allowed if neither rejects it and one of them
   * allows it; otherwise it is undecided. So {@code first} allowing a class does not overrule a
   * rejection by {@code then}. A filter that returns {@code null} counts as rejecting (as for
   * {@link java.io.ObjectInputStream}).
   *
   * @param first the filter asked first
   * @param then the filter asked next, unless {@code first} rejected
   * @return the combined filter
   */
  public static ObjectInputFilter merge(ObjectInputFilter first, ObjectInputFilter then) {
    return new Merged(Objects.requireNonNull(first, "first"), Objects.requireNonNull(then, "then"));
  }

  /** Tells whether the deny-list of {@link #channel()} names a class (not its supertypes). */
  static boolean deniedName(String className) {
    return deniedName(className, Channel.DENIED_CLASSES, Channel.DENIED_PACKAGES);
  }

  private static boolean deniedName(String className, Set<String> classes, String[] packages) {
    if (classes.contains(className)) {
      return true;
    }
    for (String pkg : packages) {
      if (className.startsWith(pkg)) {
        return true;
      }
    }
    return false;
  }

  /** Tells whether a class, one of its supertypes or its component type is on the deny-list. */
  static boolean denied(Class<?> type) {
    return Channel.DENIED.get(type);
  }

  /**
   * Tells whether a class, one of its superclasses or interfaces, or its component type is named
   * by a deny-list.
   *
   * @param classes the names of denied classes
   * @param packages prefixes of denied names: packages with their subpackages, each ending with a dot
   */
  static boolean deniedType(Class<?> type, Set<String> classes, String[] packages) {
    while (type.isArray()) {
      type = type.getComponentType();
    }
    ArrayDeque<Class<?>> todo = new ArrayDeque<>();
    todo.add(type);
    for (Class<?> c; (c = todo.poll()) != null; ) {
      if (deniedName(c.getName(), classes, packages)) {
        return true;
      }
      if (c.getSuperclass() != null) {
        todo.add(c.getSuperclass());
      }
      for (Class<?> i : c.getInterfaces()) {
        todo.add(i);
      }
    }
    return false;
  }

  /** Describes what a filter was asked about, for an error message. */
  static String describe(ObjectInputFilter.FilterInfo info) {
    StringBuilder s = new StringBuilder();
    if (info.arrayLength() >= 0) {
      s.append("length ").append(info.arrayLength()).append(", ");
    }
    return s.append("depth ").append(info.depth())
        .append(", references ").append(info.references())
        .append(", stream bytes ").append(info.streamBytes())
        .toString();
  }

  /**
   * The JVM-wide filter ({@link JvmWideFilter}), read once per compact message: its check is
   * cheap, but not next to a filter call per value.
   */
  private static ObjectInputFilter jvmWide(ObjectInputFilter.FilterInfo info) {
    return info instanceof Decoder ? ((Decoder) info).jvmWide() : JvmWideFilter.get();
  }

  /** A named class rather than a lambda: child start-up should not pay for lambda bootstrap. */
  private static final class Bootstrap implements ObjectInputFilter {
    @Override
    public Status checkInput(FilterInfo info) {
      if (info.depth() > BOOTSTRAP_MAX_DEPTH || info.references() > MAX_REFERENCES) {
        return Status.REJECTED;
      }
      ObjectInputFilter global = jvmWide(info);
      return global == null ? Status.UNDECIDED : global.checkInput(info);
    }
  }

  /** Loaded on first use: the bootstrap frame's filter does not need the deny-list. */
  private static final class Channel implements ObjectInputFilter {
    /**
     * Classes that {@link SerialFilters#channel()} rejects, as themselves, as a superclass or
     * interface of the class at hand, or as an array's component type: the sinks and links of the
     * published gadget chains (ysoserial and its successors). Not a complete list, nor a substitute
     * for an allow-list set with {@code jdk.serialFilter} when the peer is not trusted.
     */
    private static final Set<String> DENIED_CLASSES = Set.of(
        "bsh.Interpreter",
        "bsh.XThis",
        "com.mchange.v2.c3p0.impl.PoolBackedDataSourceBase",
        "com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl",
        "com.sun.rowset.JdbcRowSetImpl",
        "java.rmi.server.RemoteObjectInvocationHandler",
        "java.rmi.server.UnicastRemoteObject",
        "javax.management.BadAttributeValueExpException",
        "org.apache.commons.fileupload.disk.DiskFileItem",
        "org.apache.xalan.xsltc.trax.TemplatesImpl",
        "org.codehaus.groovy.runtime.ConvertedClosure",
        "org.codehaus.groovy.runtime.MethodClosure",
        "org.python.core.PyFunction",
        "org.springframework.beans.factory.ObjectFactory",
        "org.springframework.core.SerializableTypeWrapper$MethodInvokeTypeProvider");

    /** Packages rejected with their subpackages, as the classes of {@link #DENIED_CLASSES} are. */
    private static final String[] DENIED_PACKAGES = {
        "org.apache.commons.collections.functors.",
        "org.apache.commons.collections4.functors.",
    };

    /** Whether a class, its supertypes or its component type are denied; computed once a class. */
    private static final ClassValue<Boolean> DENIED = new ClassValue<>() {
      @Override
      protected Boolean computeValue(Class<?> type) {
        return deniedType(type, DENIED_CLASSES, DENIED_PACKAGES);
      }
    };

    static final Channel INSTANCE = new Channel();

    @Override
    public Status checkInput(FilterInfo info) {
      if (info.depth() > Limits.maxDepth() || info.references() > CHANNEL_MAX_REFERENCES
          || info.arrayLength() > Limits.maxMessageBytes()) {
        return Status.REJECTED;
      }
      Class<?> type = info.serialClass();
      if (type != null && DENIED.get(type)) {
        return Status.REJECTED;
      }
      ObjectInputFilter global = jvmWide(info);
      return global == null ? Status.UNDECIDED : global.checkInput(info);
    }

    @Override
    public String toString() {
      return "SerialFilters.channel()";
    }
  }

  private static final class Merged implements ObjectInputFilter {
    private final ObjectInputFilter first;
    private final ObjectInputFilter then;

    Merged(ObjectInputFilter first, ObjectInputFilter then) {
      this.first = first;
      this.then = then;
    }

    @Override
    public Status checkInput(FilterInfo info) {
      Status a = first.checkInput(info);
      if (a == null || a == Status.REJECTED) {
        return Status.REJECTED;
      }
      Status b = then.checkInput(info);
      if (b == null || b == Status.REJECTED) {
        return Status.REJECTED;
      }
      return a == Status.ALLOWED || b == Status.ALLOWED ? Status.ALLOWED : Status.UNDECIDED;
    }

    @Override
    public String toString() {
      return "merge(" + first + ", " + then + ")";
    }
  }
}
