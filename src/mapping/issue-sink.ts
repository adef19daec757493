import type { Document, LineCounter } from 'yaml';
import type { Issue } from '../domain/errors.js';
import { formatPath, lineOf, type PathSegment } from './yaml-locate.js';

/** A parsed mapping file: enough to turn a path into a line. */
export interface SourceFile {
  file: string;
  /** position of the file in name order, so issues sort by file then line */
  order: number;
  doc: Document;
  lineCounter: LineCounter;
}

/** Collects every problem of every file, so that all of them are reported at once. */
export class IssueSink {
  private readonly issues: { issue: Issue; order: number; seq: number }[] = [];

  error(src: SourceFile, path: readonly PathSegment[], message: string): void {
    this.add(src, path, message, 'error');
  }

  warn(src: SourceFile, path: readonly PathSegment[], message: string): void {
    this.add(src, path, message, 'warning');
  }

  /** For problems found before a document exists (malformed YAML). */
  raw(issue: Issue, order: number): void {
    this.issues.push({ issue, order, seq: this.issues.length });
  }

  line(src: SourceFile, path: readonly PathSegment[]): number {
    return lineOf(src.doc, src.lineCounter, path);
  }

  errors(): Issue[] {
    return this.sorted('error');
  }

  warnings(): Issue[] {
    return this.sorted('warning');
  }

  private add(src: SourceFile, path: readonly PathSegment[], message: string, severity: Issue['severity']): void {
    const issue: Issue = { file: src.file, line: this.line(src, path), path: formatPath(path), message, severity };
    this.issues.push({ issue, order: src.order, seq: this.issues.length });
  }

  private sorted(severity: Issue['severity']): Issue[] {
    return this.issues
      .filter((i) => i.issue.severity === severity)
      .sort((a, b) => a.order - b.order || a.issue.line - b.issue.line || a.seq - b.seq)
      .map((i) => i.issue);
  }
}
