import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * The better-sqlite3 major built for the running Node. Major 12 is the last that runs on Node 20
 * (13 segfaults there); on Node 24 its statements' `node::ObjectWrap` destructor aborts the
 * process (`Assertion failed: (env) != nullptr` in RemoveEnvironmentCleanupHook) whenever the
 * garbage collector finalizes one, mid-run or at exit. Major 13 (node-addon-api, prebuilt N-API
 * binary, installed as the `better-sqlite3-node22` alias) fixes that and needs Node 22 or later.
 * Both share one API and one type package.
 */
const require = createRequire(import.meta.url);
const nodeMajor = Number(process.versions.node.split('.')[0]);

export const sqliteDriverPackage = nodeMajor >= 22 ? 'better-sqlite3-node22' : 'better-sqlite3';

export const SqliteDatabase = require(sqliteDriverPackage) as typeof BetterSqlite3;
export type SqliteDatabase = BetterSqlite3.Database;
