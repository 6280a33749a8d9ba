/** The question engine: questions as data, one zod schema per set, summaries. See types.ts. */
export type * from './types.ts';
export { answersToValues, buildQuestionSchema, fieldName, fieldSchema, isShown, questionsOnPage, rankField, readTime, readUkDate, shownQuestions, type DatePart, type CrossCheck, type SchemaOptions } from './schema.ts';
export { describeAnswer, summariseAnswers, type AnswerRow } from './summary.ts';
export { localiseQuestions, questionIds, questionWords } from './localise.ts';
