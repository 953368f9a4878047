/** The Store interface lives in core (the engine persists through it too); the implementations live here. */
export * from '../../core/store.js';
