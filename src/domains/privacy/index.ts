/**
 * Residents' rights under UK GDPR (much of what Saferline holds is criminal-offence data, Article 10):
 * subject access (export), erasure and anonymisation. Retention and legal hold live with the cases
 * (src/domains/cases/retention.ts, legal-hold.ts); db/data-map.md says what is held where and why.
 */
export { readSubject, subjectSchema, findSubjectRecords, type Subject, type SubjectRecords } from './subject.ts';
export { buildExport, exportSubjectData, exportFileName, EXPORT_FORMAT, EXPORT_NOTES, type SubjectExport } from './export.ts';
export { eraseSubject, previewErasure, summariseErasure, legalHoldMessage, type ErasurePreview, type ErasureResult } from './erasure.ts';
