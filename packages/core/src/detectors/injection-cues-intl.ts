import { cue, type InjectionRule } from './injection-rule.js';

/**
 * The addressee and the order in the languages of the international rules, so that the features (an order
 * addressed to an AI) read them as they read English: the AI called by its name at a clause start ("Asistente:",
 * "Assistente, …", "Yapay zeka asistanı:"), and an imperative verb of a tool-like action after it. Spelt as the
 * skeleton spells them (normalize.ts): accents dropped, Cyrillic letters that look Latin folded to Latin.
 */
const ML_AI_NAME =
  '(?:agente(?: de ia| ia)?|agencie(?: ai)?|asistente(?: de ia)?|assistente(?: ia| di ia)?|assistent(?:e|in)?|ki-assistent(?:in)?|ki-agent|asystent(?:ka)?|asystencie|asistan(?:i)?|yapay zeka(?: asistani)?|asistentul(?: ai)?|tekoaly|accиcтeнт|ии-accиcтeнт|asisten ai|tro ly ai|ia|ki)';
/** A salutation before a vocative: "Liebe KI,", "Caro assistente,", "Querido asistente,", "Cher assistant,". */
const ML_DEAR =
  '(?:(?:liebe|lieber|caro|cara|cher|chere|querido|querida|estimado|estimada|prezado|prezada|drogi|droga|beste|kare|hej|hola|hallo|ciao|ola|salut)\\s{1,3})?';
/** A politeness word that may come before a vocative: "Por favor, IA: …", "Bitte, Assistent, …". */
const ML_PLEASE =
  "(?:(?:por favor|per favore|s'il (?:te|vous) plait|bitte|prosze|пoжaлyиcтa|lutfen)\\s{0,2},?\\s{1,3})?";
/**
 * Imperatives of tool-like actions (send, forward, transfer, delete, share, pay, change, export, disable) by language;
 * left out where the folded form is an English or German word too (öde → "ode", gửi → "gui", ändere → "andere").
 */
const ML_ACTION =
  '(?:manda|invita|abre|abra|ouvre|apri|lade|offne|otworz|invite|envia|enviad|reenvia|transfiere|transfiera|elimina|borra|comparte|paga|cambia|exporta|envoie|envoyez|transfere|transferez|supprime|supprimez|partage|partagez|paye|payez|modifie|exporte|sende|schicke|uberweise|losche|teile|leite|zahle|exportiere|invia|inoltra|trasferisci|cancella|condividi|paga|modifica|esporta|envie|encaminhe|transfira|apague|exclua|compartilhe|pague|altere|altera|exporte|stuur|verstuur|maak|verwijder|deel|betaal|wijzig|exporteer|wyslij|przeslij|przelej|usun|udostepnij|zaplac|zmien|oтпpaвь|пepeшли|пepeвeди|yдaли|пoдeлиcь|oплaти|измeни|gonder|ilet|aktar|sil|paylas|degistir|kirim|hapus|bagikan|bayar|ubah|xoa|chuyen|laheta|poista|trimite|sterge|transfera|skicka|dela|radera|vidarebefordra|kirimkan|teruskan|wyłacz|desactiva|disattiva|desative|deaktiviere)';
export const MULTILINGUAL_CUES: InjectionRule[][] = [
  cue(
    'cue-addressee',
    [
      'agente',
      'agencie',
      'asisten',
      'assisten',
      'asystent',
      'asystencie',
      'asistan',
      'yapay zeka',
      'tekoaly',
      'accиcтeнт',
      'tro ly ai',
      'ia:',
      'ia,',
      'ki:',
      'ki,',
      'ki-a',
    ],
    `(?<=(?:^|\\n|[.!?>"(]\\s{0,3}|[:;]\\s{1,3}|\\n\\s{0,3}[-*•]\\s{1,3})${ML_PLEASE}${ML_DEAR})${ML_AI_NAME}\\s{0,2}[,:]|(?<=\\(\\s{0,2})${ML_AI_NAME}\\s{0,2}\\)`,
  ),
  // After a vocative, a comma or a colon starts the order ("Asistente: transfiere …").
  cue(
    'cue-order',
    [
      'envia',
      'enviad',
      'reenvia',
      'transfier',
      'elimina',
      'borra',
      'compart',
      'paga',
      'cambia',
      'export',
      'envoie',
      'envoyez',
      'transfere',
      'supprime',
      'partage',
      'paye',
      'modifie',
      'sende',
      'schicke',
      'uberweise',
      'losche',
      'teile',
      'leite',
      'zahle',
      'invia',
      'inoltra',
      'trasferisci',
      'cancella',
      'condividi',
      'modifica',
      'esporta',
      'envie',
      'encaminhe',
      'transfira',
      'apague',
      'exclua',
      'pague',
      'altere',
      'altera',
      'stuur',
      'verstuur',
      'maak',
      'verwijder',
      'deel',
      'betaal',
      'wijzig',
      'wyslij',
      'przeslij',
      'przelej',
      'usun',
      'udostepnij',
      'zaplac',
      'zmien',
      'oтпpaвь',
      'пepeшли',
      'пepeвeди',
      'yдaли',
      'пoдeлиcь',
      'oплaти',
      'измeни',
      'gonder',
      'ilet',
      'aktar',
      'sil',
      'paylas',
      'degistir',
      'kirim',
      'hapus',
      'bagikan',
      'bayar',
      'ubah',
      'xoa',
      'chuyen',
      'laheta',
      'poista',
      'trimite',
      'sterge',
      'transfera',
      'skicka',
      'dela',
      'radera',
      'vidarebefordra',
      'kirimkan',
      'teruskan',
      'wyłacz',
      'desactiva',
      'disattiva',
      'desative',
      'deaktiviere',
    ],
    `(?<=(?:^|\\n|[.!?:;,]\\s{0,3}|\\b(?:y|e|et|und|en|i|ve|dan|va|ja|si|и|dann|luego|poi|puis|depois|nastepnie|sonra|затем|por favor|per favore|plait|bitte|wurdest|podrias|potresti|poderia|pourrais-tu|pourriez-vous|prosze|lutfen|alsjeblieft|va a|vai)\\s{1,3}))${ML_ACTION}\\b(?!\\s{0,2}["':=])`,
  ),
];
