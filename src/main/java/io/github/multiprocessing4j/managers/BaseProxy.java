package io.github.multiprocessing4j.managers;

import java.io.ObjectStreamException;
import java.io.Serializable;

/**
 * What every proxy of a managed object is, beside the interface it was asked for: CPython's
 * {@code BaseProxy}. A proxy is a {@link java.lang.reflect.Proxy} of that interface; each call of
 * one of its methods is a round trip to the manager's server, which calls the method on the
 * object and sends back a copy of the result.
 *
 * <p><b>Copies.</b> Arguments and results are serialized: changing a result changes nothing on
 * the server (call a method that changes the object instead). A proxy among the arguments or in
 * a result stays a proxy, of the same object.
 *
 * <p><b>Exceptions.</b> An exception thrown by the method arrives with its own type and message;
 * its stack trace is the server's, and a suppressed {@code MultiprocessingException} shows where
 * the proxy was called. A checked exception that the interface method does not declare arrives
 * as the cause of an {@link io.github.multiprocessing4j.RemoteException}. A failure of the server
 * itself (the method is not exposed, the result cannot be sent) is a {@link RemoteError}; a
 * server that is gone, or was shut down, gives a
 * {@link io.github.multiprocessing4j.connection.ConnectionException} naming the manager and how it
 * ended; none of them ever waits for ever.
 *
 * <p><b>References.</b> A proxy holds a reference to its object, which the server keeps while any
 * proxy, in any process, holds one: {@link #close()} drops it (so does the garbage collection of
 * the proxy), and the server drops every reference of a process that ends. A proxy is
 * serializable: it can be passed to a child process, through a queue or a pipe, or stored in
 * another managed object, and is a proxy of the same object, with a reference of its own, where
 * it is read.
 *
 * <p>{@code equals} and {@code hashCode} are those of the proxy (identity), as CPython's;
 * {@code toString} is the object's (a call, always allowed, as CPython's {@code str(proxy)}), or a
 * description of the proxy once it is closed or its manager is gone.
 * Thread-safe: calls from several threads go over separate connections.
 */
public interface BaseProxy extends Serializable, AutoCloseable {

  /**
   * Returns the type id the object was registered under.
   *
   * @return the type id
   */
  String typeId();

  /**
   * Calls a method of the object by name: CPython's {@code _callmethod}. The method must be
   * exposed; among several of that name, the first whose parameters take the arguments is called.
   *
   * @param method the method's name
   * @param args its arguments
   * @return its result (a proxy if the type id's registration says so)
   * @throws RemoteError if the method is not exposed, does not exist or its result cannot be sent
   * @throws io.github.multiprocessing4j.connection.ConnectionException if the manager is gone
   */
  Object callMethod(String method, Object... args);

  /**
   * Returns a copy of the object this proxy refers to: CPython's {@code _getvalue()}. A managed
   * dict or list comes as a {@code LinkedHashMap} or {@code ArrayList} copied in one step under
   * its lock; any other object as Java serializes it. Always allowed, whatever the exposed methods.
   *
   * @return the copy
   * @throws RemoteError if the object cannot be serialized (a lock, say), naming its class
   * @throws io.github.multiprocessing4j.connection.ConnectionException if the manager is gone
   */
  Object referentCopy();

  /**
   * Drops this proxy's reference to the object; the server drops the object when no proxy holds
   * one. Idempotent; the proxy cannot be used afterwards.
   */
  @Override
  void close();

  /**
   * Serialization hook: a proxy is written as a reference to its object (the library's one
   * serialized reference type) and read as a proxy. Called by serialization, not by users.
   *
   * @return the serialized form
   * @throws ObjectStreamException if the proxy is closed
   */
  @SuppressWarnings("serial") // it is effective: every proxy class implements it
  Object writeReplace() throws ObjectStreamException;
}
