// Key change notifications: revocations, rotations and setting changes. Listeners (the data
// plane's key cache) drop the key at once on this node; the Redis bus fans the same event out to
// every other node.
import { ChangeEvents, type ChangeListener } from '../core/change-events.js';

export type KeyChangeListener = ChangeListener;

export class KeyEvents extends ChangeEvents {}
