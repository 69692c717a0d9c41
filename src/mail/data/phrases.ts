/**
 * Phrase lists for the wording check, per language (English, French, Portuguese, Spanish, German, Dutch). Phrases are
 * matched on folded text (lower-case, accents removed, look-alike letters mapped to Latin, whitespace collapsed),
 * on word boundaries. Categories:
 * - cred: credential theft and account lures (verify your account, password expiry, mailbox full, shared document)
 * - urg: urgency and threats (within 24 hours, final notice)
 * - bank: change of payment details (BEC)
 * - inv: invoices, payment requests
 * - scam: prizes, rewards, inheritance, advance fee, investment, dating and miracle-cure spam
 * - callback: "call us to cancel" fake invoices (telephone-oriented attack delivery)
 * - legal: summonses, lawsuits, warrants and fines aimed at the reader (fake court or police notices)
 */
export type PhraseTag = 'cred' | 'urg' | 'bank' | 'inv' | 'scam' | 'callback' | 'legal';

/** Scam phrases no legitimate mail uses: one is enough (they count 1.5). */
export const STRONG_SCAM = new Set(['ukrainian girls', 'ukrainian singles', 'russian girls', 'fille ukrainienne', 'filles ukrainiennes',
  'oekraiens meisje', 'oekraiense', 'adult dating', 'sex dating', 'hot singles', 'vlagra', 'clalis', 'professional hacker',
  'secretly monitoring', 'dear beneficiary', 'wallet has been funded', 'claim your airdrop', 'withdraw process',
  'begin withdrawing', 'cloud mining', 'meninas ucranianas', 'blauwe pil', 'erectieproblemen', 'vrouwen in de buurt',
  'vrouwen in jouw buurt', 'male enhancement', 'neuken', 'geen nepprofielen', 'geen valse profielen', 'no fake profiles']);

/** Scam words common in legitimate marketing too: they count half. */
export const WEAK_SCAM = new Set(['congratulations', 'winner', 'reward', 'rewards program', 'giveaway', 'survey', 'bitcoin', 'crypto', 'btc',
  'eth', 'usdt', 'keto', 'sexy', 'felicitations', 'parabens', 'felicidades', 'premio', 'gagnant', 'umfrage', 'teilnehmen',
  'free gift', 'claim now', 'claim your', 'exclusive offer', 'staking', 'airdrop', 'gewinner', 'belohnung', 'desconto',
  'weight loss', 'lose weight', 'naughty', 'brinde', 'beneficiary', 'unclaimed', 'gift card', 'viagra', 'cialis', 'levitra',
  'presale', 'for charity', 'investment plan', 'gefeliciteerd', 'beloning', 'enquete', 'winnaar', 'win een', 'maak kans op',
  'waardebon', 'cadeaubon', 'cadeaukaart', 'afvallen', 'gewichtsverlies', 'meiden', 'singles', 'chatten', 'soulmate',
  'erectie', 'orgasme', 'orgasmen', 'claim je', 'claim uw', 'pounds in', 'losing weight', 'passive income', 'financial freedom',
  'get rich', 'weight-loss', 'get to know you', 'where are you from', 'how old are you', 'serious relationship', 'flirten', 'op zoek naar liefde', 'erotisch', 'erotische', 'burn fat', 'fat burning', 'fund transfer', 'dear friend', 'business proposal', 'pay me',
  'mutual benefit', 'jackpot', 'casino', 'wager', 'wheel of fortune', 'digital assets', 'your wallet', 'minting', 'flirt',
  'volwassen', 'lonely', 'chat with me', 'beautiful women', 'pharmacy', 'charitable donation', 'work from home',
  'earn up to', 'job offer', 'home-based', 'personal assistant', 'your fund', 'my photos', 'my picture', 'crypto journey', 'airdrops', 'token sale', 'adult website', 'adult websites']);

export const PHRASES: Record<PhraseTag, string[]> = {
  cred: [
    // en
    'verify your account', 'verify your identity', 'verify your email', 'verify your information', 'verify your details',
    'confirm your account', 'confirm your identity', 'confirm your password', 'confirm your email', 'confirm your details',
    'confirm your information', 'update your account', 'update your information', 'update your details',
    'update your payment', 'update your billing', 'update your card', 'validate your account', 'validate your email',
    'validate your mailbox', 'account has been suspended', 'account will be suspended', 'account has been locked',
    'account has been disabled', 'account will be disabled', 'account will be closed', 'account has been limited',
    'account has been restricted', 'account is on hold', 'account suspension', 'account verification',
    'unusual sign-in activity', 'unusual sign in activity', 'unusual signin activity', 'unusual activity',
    'suspicious activity', 'suspicious login', 'suspicious sign-in', 'unauthorized access', 'unauthorised access',
    'unauthorized login', 'someone tried to sign in', 'new sign-in', 'login attempt', 'sign in to your account',
    'log in to your account', 'login to your account', 'password will expire', 'password expires', 'password expiry',
    'password expiration', 'password has expired', 'keep your password', 'keep the same password', 'keep current password',
    'reset your password', 'mailbox is full', 'mailbox quota', 'mailbox storage', 'storage is full', 'storage quota',
    'exceeded the storage', 'storage limit', 'email quota', 're-validate', 'revalidate', 'reactivate your account',
    'restore your account', 'restore access', 'shared a document with you', 'shared a file with you',
    'has shared a file', 'has shared a document', 'sent you a document', 'sent you a file', 'review the document',
    'view the document', 'view document', 'access the document', 'review and sign', 'secure message',
    'new voicemail', 'voice message', 'pending messages', 'pending incoming', 'undelivered messages',
    'messages on hold', 'will be deactivated', 'deactivation request', 'seed phrase',
    'recovery phrase', 'secret phrase', 'connect your wallet', 'verify your wallet', 'wallet verification',
    'enter your password', 'enter your credentials', 'login credentials', 'sign in to view', 'click here to verify',
    'failure to verify', 'avoid suspension', 'avoid account', 'billing information', 'payment information',
    'payment details', 'card details', 'your card has been', 'payment was declined', 'payment declined',
    'delivery failed', 'could not be delivered', 'unable to deliver', 'shipment on hold', 'package is on hold',
    'customs fee', 'delivery fee', 'shipping fee', 'redelivery', 'confirm delivery', 'schedule delivery',
    'tax refund', 'refund is pending', 'eligible for a refund', 'apple id', 'password to your mailbox',
    'your mailbox password', 'mailbox has been', 'email account has been', 'log you out', 'password has been compromised',
    'verify your wallet', 'kyc verification', 'complete your kyc', 'kyc is unverified', 'unverified account',
    'wallet is not verified', 'unverified wallets', 'tried to log in', 'tried to login', 'login with the details', 'login with the bellow',
    // fr
    'verifier votre compte', 'verifiez votre compte', 'verifier votre identite', 'confirmer votre identite',
    'confirmez votre identite', 'confirmer vos informations', 'mettre a jour vos informations', 'mettez a jour vos',
    'votre compte a ete suspendu', 'votre compte sera suspendu', 'votre compte a ete bloque', 'votre compte sera bloque',
    'votre compte sera desactive', 'activite inhabituelle', 'connexion inhabituelle', 'acces non autorise',
    'mot de passe expire', 'votre mot de passe', 'boite aux lettres est pleine', 'espace de stockage',
    'vos identifiants', 'connectez-vous a votre', 'cliquez ici pour verifier', 'votre colis', 'frais de livraison',
    'frais de douane', 'vos coordonnees bancaires', 'votre carte bancaire', 'remboursement d\'impot',
    'vous a partage un document', 'document partage', 'activites de connexion inhabituelles', 'activite de connexion inhabituelle',
    'quelque chose d\'inhabituel', 'compte microsoft', 'compte sera supprime', 'confirmez vos informations',
    // pt
    'verifique sua conta', 'verificar sua conta', 'confirme seus dados', 'confirmar seus dados', 'atualize seus dados',
    'atualizar seus dados', 'atualizacao cadastral', 'sua conta foi bloqueada', 'sua conta sera bloqueada',
    'conta suspensa', 'conta bloqueada', 'acesso suspeito', 'atividade suspeita', 'acesso nao autorizado', 'sua senha',
    'senha expirada', 'senha de acesso', 'seus pontos', 'pontos expirando', 'pontos acumulados', 'resgate seus pontos',
    'resgatar seus pontos', 'regularize', 'bloqueamos', 'sua caixa de correio', 'dados cadastrais',
    'seu cartao', 'sua encomenda', 'taxa de entrega', 'taxa alfandegaria',
    // es
    'verifique su cuenta', 'verificar su cuenta', 'confirme su identidad', 'confirmar su identidad',
    'actualice sus datos', 'actualizar sus datos', 'su cuenta ha sido suspendida', 'su cuenta sera suspendida',
    'su cuenta ha sido bloqueada', 'cuenta bloqueada', 'actividad inusual', 'actividad sospechosa',
    'acceso no autorizado', 'su contrasena', 'contrasena caducada', 'inicie sesion', 'su paquete', 'gastos de envio',
    'tasas de aduana', 'su tarjeta', 'sus datos bancarios',
    // de
    'bestatigen sie ihr konto', 'verifizieren sie ihr konto', 'ihr konto wurde gesperrt', 'ihr konto wird gesperrt',
    'konto gesperrt', 'ungewohnliche aktivitat', 'verdachtige aktivitat', 'ihr passwort', 'passwort lauft ab',
    'speicher ist voll', 'speicher ist belegt', 'aktualisieren sie ihre daten', 'melden sie sich an',
    'zahlungsinformationen', 'ihr paket', 'zustellung fehlgeschlagen', 'bestatigen sie ihre',
    // nl
    'verifieer uw account', 'verifieer je account', 'bevestig uw gegevens', 'bevestig je gegevens', 'bevestig uw identiteit',
    'uw account is geblokkeerd', 'je account is geblokkeerd', 'uw account wordt geblokkeerd', 'account is opgeschort',
    'verdachte activiteit', 'ongebruikelijke activiteit', 'uw wachtwoord', 'je wachtwoord', 'wachtwoord verloopt',
    'mailbox is vol', 'opslag is vol', 'werk uw gegevens bij', 'uw gegevens bijwerken', 'log in op uw', 'uw pakket',
    'je pakket', 'bezorging mislukt', 'in afwachting van levering', 'verzendkosten', 'douanekosten', 'bezorgkosten',
    'uw bankpas', 'je bankpas', 'nieuwe bankpas', 'uw betaalpas', 'betaling is mislukt', 'betaling mislukt',
    'openstaande betaling',
  ],
  urg: [
    'urgent', 'urgently', 'within 24 hours', 'within 48 hours', 'within 24hrs', 'in 24 hours',
    'final notice', 'final warning', 'last warning', 'final reminder', 'act now', 'expires today', 'expiring today',
    'expire today', 'action required', 'immediate action', 'required action', 'time sensitive', 'permanently deleted',
    'permanently disabled', 'permanently lost', 'will be terminated', 'failure to comply', 'legal action',
    'immediatement', 'sous 24 heures', 'sous 48 heures', 'dans les 24 heures', 'dernier avertissement',
    'dernier rappel', 'derniere relance', 'sans delai', 'action requise',
    'imediatamente', 'urgente', 'em 24 horas', 'nas proximas 24 horas', 'ultimo aviso', 'ultima chance',
    'expira hoje', 'expirando hoje', 'prazo final',
    'inmediatamente', 'en 24 horas', 'accion requerida', 'ultima oportunidad',
    'sofort', 'dringend', 'innerhalb von 24 stunden', 'letzte warnung', 'letzte erinnerung', 'letzte chance',
    'beeilen sie sich', 'nur heute', 'nur noch heute', 'schnell sein',
    'dringend verzoek', 'binnen 24 uur', 'binnen 48 uur', 'laatste waarschuwing', 'laatste herinnering', 'laatste kans',
    'onmiddellijk', 'vandaag nog', 'mis deze kans niet', 'verloopt vandaag',
  ],
  bank: [
    'change of bank details', 'new bank details', 'updated bank details', 'bank details have changed',
    'bank details has changed', 'changed our bank', 'change our bank', 'new bank account', 'updated banking',
    'change in banking', 'changed bank account', 'new banking details', 'update our bank', 'new account details',
    'payment to the new account', 'changement de coordonnees bancaires', 'nouvelles coordonnees bancaires',
    'nouveau rib', 'changement de rib', 'nouveau compte bancaire', 'alteracao de dados bancarios',
    'nova conta bancaria', 'novos dados bancarios', 'cambio de cuenta bancaria', 'nueva cuenta bancaria',
    'nuevos datos bancarios', 'neue bankverbindung', 'anderung der bankverbindung', 'bankverbindung hat sich geandert',
    'nieuwe bankrekening', 'nieuw rekeningnummer', 'gewijzigde bankgegevens', 'nieuwe bankgegevens',
  ],
  inv: [
    'outstanding invoice', 'overdue invoice', 'overdue payment', 'payment is overdue', 'unpaid invoice',
    'payment confirmation', 'proof of payment', 'swift copy', 'remittance advice', 'wire transfer',
    'invoice attached', 'attached invoice', 'find attached invoice', 'purchase order', 'payment request',
    'facture impayee', 'facture en attente', 'retard de paiement', 'avis de paiement', 'virement bancaire',
    'fatura em aberto', 'fatura vencida', 'comprovante de pagamento', 'pagamento pendente', 'nota fiscal', 'boleto',
    'factura pendiente', 'factura vencida', 'comprobante de pago', 'transferencia bancaria',
    'offene rechnung', 'zahlungserinnerung', 'mahnung',
    'openstaande factuur', 'betalingsherinnering', 'betaalbewijs', 'achterstallige betaling',
  ],
  scam: [
    'you have won', 'you\'ve won', 'you won', 'lottery', 'claim your prize', 'claim your reward', 'claim now',
    'gift card', 'beneficiary', 'inheritance', 'next of kin', 'consignment', 'compensation fund', 'unclaimed',
    'million dollars', 'million usd', 'barrister', 'atm card', 'western union', 'moneygram', 'airdrop', 'staking',
    'withdraw your funds', 'withdrawal request', 'elon musk', 'giveaway', 'free bitcoin', 'btc', 'eth', 'token allocation', 'claim your', 'exclusive offer', 'selected to receive', 'you have been selected', 'you\'ve been selected', 'been chosen', 'survey', 'congratulations', 'winner', 'reward', 'rewards program',
    'cash prize', 'free gift', 'bitcoin', 'usdt', 'crypto', 'investment opportunity', 'guaranteed returns',
    'vous avez gagne', 'felicitations', 'gagnant', 'loterie', 'carte cadeau',
    'voce ganhou', 'parabens', 'premio', 'sorteio', 'brinde', 'premiado',
    'ha ganado', 'felicidades', 'loteria', 'herencia', 'tarjeta regalo',
    'gewinnen sie', 'sie haben gewonnen', 'gewinner', 'gutschein', 'gluckwunsch', 'herzlichen gluckwunsch',
    'belohnung', 'gewinnspiel', 'umfrage', 'teilnehmen',
    'hot singles', 'meet singles', 'waiting to meet you', 'hottie', 'hotties', 'naughty', 'nude photos', 'sexy', 'lonely women',
    'naaktfoto', "naaktfoto's", 'spannende afspraak', 'sexdate', 'traumfrau', 'singles in your area', 'weight loss',
    'lose weight', 'miracle pill', 'erectile dysfunction', 'gewichtsverlust', 'abnehmen', 'keto', 'fett verbrennen',
    'perte de poids', 'emagrecer', 'perder peso', 'viagra', 'cialis', 'levitra', 'without a prescription',
    'without prescription', 'sex dating', 'looking for a lover', 'click for date', 'i am childless', 'critical cancer',
    'my late husband', 'donate my', 'for charity', 'charity work', 'has donated', 'foreign partner', 'strictly confidential',
    'reply urgently', 'atm visa card', 'fund transfer', 'presale', 'token share', 'investment plan', 'funds release',
    'compensation payment', 'unclaimed funds', 'dormant account', 'deceased client', 'sin receta', 'sans ordonnance',
    'dear friend', 'diplomatic agent', 'consignment box', 'treat with confidence', 'come to you as a surprise',
    'accounting section', 'handle a project', 'carta surpresa', 'you are in big trouble', 'i have access to your',
    'recorded you', 'your webcam', 'private video', 'intimate video', 'your contacts will receive', 'pay me',
    'bitcoin address', 'btc address', 'next of kin', 'late client', 'same surname', 'business proposal',
    'mutual benefit', 'percent of the total', '% of the total', 'transfer the sum', 'sum of $', 'million united states',
    'million us dollars', 'million euros', 'milhoes de dolares', 'millones de dolares', 'millions de dollars',
    // gambling
    'jackpot', 'casino', 'prize pool', 'welcome bonus', 'free spins', 'free spin', 'high rollers', 'wager', 'deposit bonus',
    'wheel of fortune', 'bonus de boas-vindas', 'giros gratis', 'rodadas gratis', 'tours gratuits',
    // crypto giveaways, fake balances and withdrawals
    'airdrops', 'claim your tokens', 'claim your rewards', 'claim rewards', 'claim your reward', 'claim your airdrop',
    'withdraw process', 'begin withdrawing', 'ready for withdrawal', 'request for withdrawal', 'your withdrawal',
    'digital assets', 'virtual assets', 'wallet has been funded', 'your bitcoin wallet', 'btc balance', 'your wallet',
    'minting', 'transfers to your card', 'crypto journey', 'token sale', 'cloud mining', 'a day from home', 'crypto airdrop', 'free eth', 'free btc', 'get your ethereum',
    // dating and adult
    'ukrainian girls', 'ukrainian singles', 'ukrainian women', 'russian girls', 'russian women', 'hot women', 'meet hot',
    'new flirt', 'flirt', 'dream girl', 'adult dating', 'sex for everyone', 'filles ukrainiennes', 'fille ukrainienne',
    'oekraiens meisje', 'oekraiense', 'volwassen', 'lonely', 'chat with me', 'beautiful women', 'meninas ucranianas',
    // pharmacy spelt to dodge filters
    'vlagra', 'clalis', 'online pharmacy', 'drugs shop', 'pharmacy',
    // sextortion
    'professional hacker', 'hacked your', 'gained full access', 'full access to your', 'secretly monitoring',
    'adult websites', 'adult website', 'pornographic',
    // advance fee, charity and job scams
    'philanthropist', 'diagnosed with cancer', 'charitable donation', 'part-time job', 'part time job', 'work from home',
    'earn from home', 'per month working', 'per day from home', 'earn up to', 'job offer', 'home-based', 'personal assistant',
    'viable project', 'debt funding', 'dear beneficiary', 'your fund', 'united state dollars', 'withdraw your funds',
    'bitcoin earning', 'meu falecido marido', 'falecido marido', 'mi difunto esposo', 'mon defunt mari', 'feu mon mari',
    // romance scams
    'i am single', 'i\'m single', 'single lady', 'humble lady', 'my photos', 'my picture', 'looking for a man',
    'suitable gentleman', 'guy from usa', 'man from usa', 'years old chick', 'years old girl', 'years old lady',
    // nl: prizes, surveys, dating and adult, pharmacy, diet, easy money
    'gefeliciteerd', 'u heeft gewonnen', 'je hebt gewonnen', 'u bent gekozen', 'je bent gekozen', 'u bent geselecteerd',
    'je bent geselecteerd', 'maak kans op', 'win een', 'beloning', 'cadeaukaart', 'cadeaubon', 'waardebon', 'enquete',
    'loterij', 'erfenis', 'geldprijs', 'winnaar', 'claim je', 'claim uw', 'afvallen', 'gewichtsverlies', 'zonder recept',
    'erectieproblemen', 'erectie', 'blauwe pil', 'orgasme', 'orgasmen', 'geile', 'vrouwen in de buurt',
    'vrouwen in jouw buurt', 'meiden', 'singles', 'chatten', 'afspraakje', 'soulmate', 'ontmoet haar',
    'bijverdienen', 'verdien thuis', 'per dag verdienen', 'cryptomunten', 'intieme fantasieen', 'sexcontact', 'seksdate',
    'neuken', 'sexpartner', 'geen nepprofielen', 'geen valse profielen', 'no fake profiles', 'intiem contact',
    'alleenstaande vrouwen', 'flirten', 'op zoek naar liefde', 'erotisch', 'erotische', 'vreemdgaan', 'discreet contact',
    // easy money (pt, es, fr, de, nl)
    'oportunidades de lucro', 'renda extra', 'ganhe dinheiro', 'dinheiro facil', 'lucro garantido', 'ganar dinero',
    'gane dinero', 'dinero facil', 'gagner de l\'argent', 'argent facile', 'passives einkommen', 'schnelles geld', 'snel geld',
    // romance-scam openers (en)
    'serious relationship', 'i saw your profile', 'how old are you', 'where are you from', 'i am lonely', 'i\'m lonely',
    'get to know you', 'send you my photo', 'send you my photos', 'write to my email', 'write to my private email',
    // crypto balance and transfer lures
    'bitcoin transaction', 'bitcoin deposit', 'btc deposit', 'pending bitcoin', 'crypto deposit', 'deposit of btc',
    // diet, adult and pharmacy spam (en)
    'weight-loss', 'belly fat', 'burn fat', 'fat burning', 'melt fat', 'lose pounds', 'losing weight', 'pounds in',
    'pounds lighter', 'lbs lighter', 'kilos lighter', 'kilo lichter', 'quilos a menos', 'kilos de menos', 'kilos en moins',
    'kilo weniger',
    'male enhancement',
    // easy money claims
    'transfers to your card', 'earn money online', 'passive income', 'financial freedom', 'get rich',
  ],
  legal: [
    'court summons', 'summons to appear', 'lawsuit against you', 'legal proceedings against you', 'arrest warrant',
    'warrant for your arrest', 'you have been sued', 'case against you', 'demand letter', 'criminal complaint against you',
    'proces vous concernant', 'convocation judiciaire', 'mandat d\'arret', 'poursuites judiciaires', 'plainte contre vous',
    'citation a comparaitre', 'proces-verbal', 'processo trabalhista', 'acao trabalhista', 'vara do trabalho', 'vara trabalho',
    'intimacao', 'intimacao judicial', 'intimacao eletronica', 'citacao judicial', 'mandado de citacao', 'carta de demanda',
    'lista negra', 'multa pendente', 'cnh suspensa', 'processo judicial', 'demanda judicial', 'citacion judicial',
    'orden de arresto', 'en su contra', 'vorladung', 'haftbefehl', 'gerichtsverfahren gegen sie', 'strafanzeige gegen sie',
    'dagvaarding', 'deurwaarder', 'gerechtelijke stappen', 'gerechtelijke procedure', 'arrestatiebevel',
  ],
  callback: [
    'if you did not authorize', 'if you did not make this', 'if you didn\'t make this', 'did not authorize this',
    'to cancel this order', 'to cancel the order', 'to cancel your subscription', 'cancel this transaction',
    'call our support', 'call us at', 'call us on', 'contact our support at', 'call our billing', 'call our toll',
    'toll free', 'toll-free', 'helpline number', 'customer care number', 'refund department', 'billing department at',
    'dispute this charge', 'automatically renewed', 'auto-renewal', 'has been charged to your', 'will be charged',
    'caso nao reconheca', 'ligue para', 'central de atendimento', 'compra em analise', 'si no reconoce', 'llame al',
    'llamenos al', 'appelez le', 'appelez-nous', 'si vous n\'etes pas a l\'origine', 'rufen sie uns an', 'unter der nummer',
    'bel ons op', 'bel dan direct',
  ],
};
