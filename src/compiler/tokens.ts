import ts from "typescript";
import type { BinaryOp, UnaryOp } from "../ir/types.js";

// The TypeScript operator tokens the IR has an operator for. Shared by the lowering of
// workflow expressions and the static reading of module constants, so both accept the same
// operators.

const K = ts.SyntaxKind;

export const BINARY_TOKENS: ReadonlyMap<ts.SyntaxKind, BinaryOp> = new Map([
  [K.PlusToken, "+"],
  [K.MinusToken, "-"],
  [K.AsteriskToken, "*"],
  [K.SlashToken, "/"],
  [K.PercentToken, "%"],
  [K.AsteriskAsteriskToken, "**"],
  [K.EqualsEqualsEqualsToken, "==="],
  [K.ExclamationEqualsEqualsToken, "!=="],
  [K.EqualsEqualsToken, "=="],
  [K.ExclamationEqualsToken, "!="],
  [K.LessThanToken, "<"],
  [K.LessThanEqualsToken, "<="],
  [K.GreaterThanToken, ">"],
  [K.GreaterThanEqualsToken, ">="],
  [K.LessThanLessThanToken, "<<"],
  [K.GreaterThanGreaterThanToken, ">>"],
  [K.GreaterThanGreaterThanGreaterThanToken, ">>>"],
  [K.AmpersandToken, "&"],
  [K.BarToken, "|"],
  [K.CaretToken, "^"],
  [K.InKeyword, "in"],
] as const);

export const LOGICAL_TOKENS: ReadonlyMap<ts.SyntaxKind, "&&" | "||" | "??"> = new Map([
  [K.AmpersandAmpersandToken, "&&"],
  [K.BarBarToken, "||"],
  [K.QuestionQuestionToken, "??"],
] as const);

export const PREFIX_TOKENS: ReadonlyMap<ts.SyntaxKind, UnaryOp> = new Map([
  [K.ExclamationToken, "!"],
  [K.MinusToken, "-"],
  [K.PlusToken, "+"],
  [K.TildeToken, "~"],
] as const);
