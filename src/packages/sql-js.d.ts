/** The part of sql.js (SQLite compiled to WebAssembly) that the rpm reader uses; sql.js ships no types. */
declare module 'sql.js' {
  interface Statement {
    step(): boolean;
    get(): unknown[];
    free(): void;
  }
  interface Database {
    prepare(sql: string): Statement;
    /** (Tests make sqlite files with these.) */
    run(sql: string): void;
    export(): Uint8Array;
    close(): void;
  }
  interface SqlJsStatic {
    Database: new (data?: Uint8Array) => Database;
  }
  export default function initSqlJs(): Promise<SqlJsStatic>;
}
