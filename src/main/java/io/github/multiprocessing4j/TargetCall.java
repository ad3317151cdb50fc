package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.codec.ValueCodec;
import io.github.multiprocessing4j.internal.launch.Bootstrap;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a process calls: its {@link Target} (a class the child instantiates, an object serialized
 * to it, or none for a subclass's own {@code run()}) and its arguments; how the parent checks a
 * target class, and how a call becomes the target fields of the {@link Bootstrap} and back. Apart
 * from {@link Process} because the parent's checks, the wire form and the child's instantiation
 * are one concern, unrelated to the lifecycle of the process object.
 */
final class TargetCall {

  /** The call of a process without a target, as CPython's {@code Process()}. */
  static final TargetCall NONE = new TargetCall(null, null, List.of(), Map.of());

  /** A target object, or null. */
  private final Target target;
  /** A target class, instantiated in the child, or null. */
  private final String targetClassName;
  private final List<Object> args;
  private final Map<String, Object> kwargs;

  private TargetCall(Target target, String targetClassName, List<Object> args, Map<String, Object> kwargs) {
    this.target = target;
    this.targetClassName = targetClassName;
    this.args = args;
    this.kwargs = kwargs;
  }

  /** In the parent: a snapshot of a builder's target and arguments. */
  static TargetCall of(Target target, String targetClassName, List<Object> args, Map<String, Object> kwargs) {
    return new TargetCall(target, targetClassName, new ArrayList<>(args), new LinkedHashMap<>(kwargs));
  }

  /** Runs the target, if there is an object to run (in the child; a class target is instantiated there). */
  void run() throws Exception {
    if (target != null) {
      target.run(Args.of(args, kwargs));
    }
  }

  /**
   * Writes the target and the arguments into the bootstrap, serializing them here, in the caller's
   * thread, so that a value that cannot be sent fails {@code start()} before any JVM is launched.
   *
   * @throws IllegalArgumentException naming the target or argument that cannot be serialized
   */
  void encodeInto(Bootstrap b) {
    if (targetClassName != null) {
      b.targetKind = Bootstrap.TARGET_CLASS;
      b.targetClass = targetClassName;
    } else if (target != null) {
      b.targetKind = Bootstrap.TARGET_OBJECT;
      // ValueCodec's form: a method reference or lambda target is compact, read without Java
      // serialization; any other target is Java-serialized in it, as it always was.
      b.targetObject = ValueCodec.encode(target, "target");
    } else {
      b.targetKind = Bootstrap.TARGET_NONE;
    }
    b.encodedArgs = Bootstrap.encodeArgs(args, kwargs);
  }

  /**
   * In the child: the call the parent encoded, its target instantiated or deserialized.
   *
   * @throws Exception whatever decoding, loading or instantiating throws; the child reports it as
   *     the process's failure
   */
  static TargetCall decode(Bootstrap b) throws Exception {
    List<Object> args = new ArrayList<>();
    Map<String, Object> kwargs = new LinkedHashMap<>();
    b.decodeArgs(args, kwargs);
    return new TargetCall(target(b), null, args, kwargs);
  }

  private static Target target(Bootstrap b) throws Exception {
    switch (b.targetKind) {
      case Bootstrap.TARGET_CLASS: {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        Class<?> type = Class.forName(b.targetClass, true, cl != null ? cl : ChildRuntime.class.getClassLoader());
        Constructor<?> ctor = type.getDeclaredConstructor();
        ctor.setAccessible(true);
        return (Target) ctor.newInstance();
      }
      case Bootstrap.TARGET_OBJECT:
        return (Target) ValueCodec.decode(b.targetObject, "target");
      default:
        return null;
    }
  }

  /**
   * Loads a target class by name through the context class loader, to check it in the parent.
   *
   * @throws IllegalArgumentException if it cannot be loaded or does not implement {@link Target}
   */
  static Class<? extends Target> load(String className) {
    Class<?> type;
    try {
      ClassLoader cl = Thread.currentThread().getContextClassLoader();
      type = Class.forName(className, false, cl != null ? cl : Process.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException("target class '" + className + "' cannot be loaded: " + e
          + "; check the name and the class path", e);
    }
    if (!Target.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException("target class " + className + " does not implement "
          + Target.class.getName());
    }
    @SuppressWarnings("unchecked")
    Class<? extends Target> t = (Class<? extends Target>) type;
    return t;
  }

  /**
   * Checks in the parent that the child will be able to instantiate a target class.
   *
   * @throws IllegalArgumentException naming the class and what keeps it from being instantiated
   */
  static void checkInstantiable(Class<?> type) {
    String problem = null;
    if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
      problem = "it is abstract";
    } else if (type.getEnclosingClass() != null && !Modifier.isStatic(type.getModifiers())) {
      problem = "it is a non-static inner class; make it static";
    } else if (type.isAnonymousClass() || type.isLocalClass()) {
      problem = "it is an anonymous or local class; pass an instance instead of its class";
    } else {
      try {
        Constructor<?> c = type.getDeclaredConstructor();
        Objects.requireNonNull(c);
      } catch (NoSuchMethodException e) {
        problem = "it has no no-argument constructor";
      }
    }
    if (problem != null) {
      throw new IllegalArgumentException("target class " + type.getName() + " cannot be instantiated: " + problem);
    }
  }
}
